// Runs the Argo CD health checks of resource_customizations/<group>/<Kind>/ the way Argo CD runs a
// health check given in argocd-cm: gopher-lua (Lua 5.1), only the base, table and package
// libraries, the object as the global `obj`, a one-second budget, and a status that must be one
// of Argo CD's. Each health_test.yaml lists inputs and the health they must give.
//
//	health-check-runner <resource_customizations directory>
//
// Prints a line per case and "N passed, N failed"; exits 1 if any failed.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type healthTests struct {
	Tests []struct {
		HealthStatus healthStatus `json:"healthStatus"`
		InputPath    string       `json:"inputPath"`
	} `json:"tests"`
}

var validStatuses = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true,
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: health-check-runner <resource_customizations directory>")
		os.Exit(2)
	}
	testFiles, err := filepath.Glob(filepath.Join(os.Args[1], "*", "*", "health_test.yaml"))
	if err != nil || len(testFiles) == 0 {
		fmt.Fprintf(os.Stderr, "no */*/health_test.yaml under %s\n", os.Args[1])
		os.Exit(2)
	}
	sort.Strings(testFiles)
	passed, failed := 0, 0
	for _, testFile := range testFiles {
		dir := filepath.Dir(testFile)
		script, err := os.ReadFile(filepath.Join(dir, "health.lua"))
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", dir, err)
			failed++
			continue
		}
		var tests healthTests
		if err := readYAML(testFile, &tests); err != nil || len(tests.Tests) == 0 {
			fmt.Printf("FAIL %s: no tests (%v)\n", testFile, err)
			failed++
			continue
		}
		for _, test := range tests.Tests {
			name := filepath.Join(filepath.Base(filepath.Dir(dir)), filepath.Base(dir), test.InputPath)
			var obj map[string]interface{}
			if err := readYAML(filepath.Join(dir, test.InputPath), &obj); err != nil {
				fmt.Printf("FAIL %s: %v\n", name, err)
				failed++
				continue
			}
			got, err := health(string(script), obj)
			if err != nil {
				fmt.Printf("FAIL %s: %v\n", name, err)
				failed++
			} else if *got != test.HealthStatus {
				fmt.Printf("FAIL %s: got %+v, want %+v\n", name, *got, test.HealthStatus)
				failed++
			} else {
				fmt.Printf("PASS %s: %s %q\n", name, got.Status, got.Message)
				passed++
			}
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

func readYAML(path string, into interface{}) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return yaml.Unmarshal(data, into)
}

func health(script string, obj map[string]interface{}) (*healthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return nil, err
	}
	returned, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	result := &healthStatus{}
	if status, ok := returned.RawGetString("status").(lua.LString); ok {
		result.Status = string(status)
	}
	if message, ok := returned.RawGetString("message").(lua.LString); ok {
		result.Message = string(message)
	}
	if !validStatuses[result.Status] {
		return nil, fmt.Errorf("%q is not a health status Argo CD knows", result.Status)
	}
	return result, nil
}

// toLua converts decoded JSON as Argo CD does: objects and arrays to tables, numbers to numbers.
func toLua(l *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return lua.LString(v)
	case []interface{}:
		table := l.CreateTable(len(v), 0)
		for _, item := range v {
			table.Append(toLua(l, item))
		}
		return table
	case map[string]interface{}:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	}
	return lua.LNil
}
