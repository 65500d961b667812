#!/usr/bin/env bash
# The amphora against HAProxy (Octavia's own data plane) on this machine, in the same run, with
# equivalent configurations in front of the same two nginx backends, the same number of worker
# threads and the same wrk load. Prints one table of ratios amphora/HAProxy, then the
# reload-under-load check (configuration generations pushed while wrk runs, failed requests counted).
#
#   dataplane-image/bench/benchmark.sh                 # 1 and 2 worker threads, 7 turns of 10 s per row
#   DURATION=30s ROUNDS=3 THREADS="2" dataplane-image/bench/benchmark.sh
#   TESTS=keepalive RELOADS=0 dataplane-image/bench/benchmark.sh   # one row, no reload check
#   TESTS="tls-keepalive tls-handshake" RELOADS=0 dataplane-image/bench/benchmark.sh   # the TLS rows
#   TESTS=cold-start RELOADS=0 dataplane-image/bench/benchmark.sh   # the cold-start rows alone
#   COLD_PROFILE=1 TESTS=cold-start ...                # and the amphora's threads' CPU second by second
#   TESTS=node-memory RELOADS=0 ...                    # idle memory of each proxy, four of it on the node
#   PIN=off dataplane-image/bench/benchmark.sh         # nothing pinned to CPUs: proxies, wrk, nginx
#   AMPHORA_JAVA_OPTS=-Dlbaas.amphora.transport=epoll ...  # the amphora on epoll instead of io_uring
#   AMPHORA_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/amphora.jfr" KEEP_WORK=1 ...   # profile it
#   AMPHORA_ARGS="--jit-warm-up-seconds 0" ...   # more of the amphora's own options (AmphoraOptions.java)
#   AMPHORA_JAVA="java /path/to/jdk-25/bin/java" ...  # the amphora on each JVM in turn, the same run
#
# AMPHORA_JAVA (default: java, the build's JDK) lists the JVMs the amphora runs on, each against
# HAProxy in the same run, every row once per JVM. The build's JDK maps the class-data archive the
# build made beside the jar (ClassDataTraining.java); a JDK 25 or later gets an AOT cache (JEP 483,
# with JEP 515's method profiles) made here by the same training run of the jar before any row,
# and compact object headers (JEP 519); any other JVM runs with jvm.options alone.
#
# Each row: both proxies get WARMUP_RUNS (5) runs of WARMUP (2 s) of the row's load, then ROUNDS (7)
# measurements of DURATION each, amphora and HAProxy taking turns; the table shows each proxy's
# median requests/s and median p99. A data plane serves for days, and the JIT compiler's first
# seconds are not what its users see; nor are 50 connections that live through the whole warm-up
# (see docs/benchmark.md). Taking turns, each proxy idles while the other is measured, alike, and
# the medians keep disturbed runs on a shared machine from deciding a ratio: on a 2-core machine
# that also runs wrk and nginx, single 10 s turns of either proxy vary by 10-20% in requests/s and
# by up to 2x in p99. A median of three turns moved by +-0.2 from run to run, and one of five was
# still decided by disturbed turns when three of them fell on one proxy: seven is what a ratio can
# rest on (docs/benchmark.md).
#
# The cold-start rows are the exception: each proxy is started anew and measured from its first
# requests, keep-alive load without warm-up, over the first COLD_SHORT (5 s) and, started anew
# again, the first COLD_LONG (30 s); COLD_ROUNDS (3) starts of each, medians. A standby just
# promoted or a pod just replaced serves so. Below the table: how long after its process started
# the amphora served its configuration.
#
# Resident memory: "load" is read right after the amphora's first measurement, "idle" SETTLE seconds
# (10) after the last one, when the load balancer still holds its configuration but no traffic.
# Below the table, the idle reading is split into anonymous and file-backed memory, with a second
# reading LATER seconds (20) after it, to tell a passing peak from memory that stays (LATER=0: none).
# The node-memory row runs NODE_SIZE (4) of each proxy side by side, idle after a little load, and
# gives each one's share of the memory they use together (PSS) and what one more of them adds (USS).
#
# Installs haproxy, wrk and nginx-light from the OS packages when they are missing. Everything
# listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
WARMUP_RUNS="${WARMUP_RUNS:-5}"
ROUNDS="${ROUNDS:-7}"
THREADS="${THREADS:-1 2}"
CONNECTIONS="${CONNECTIONS:-50}"
RELOADS="${RELOADS:-100}"
TESTS="${TESTS:-keepalive close tcp tls-keepalive tls-handshake cold-start node-memory}"
COLD_SHORT="${COLD_SHORT:-5s}"
COLD_LONG="${COLD_LONG:-30s}"
COLD_ROUNDS="${COLD_ROUNDS:-3}"
SETTLE="${SETTLE:-10}"
NODE_SIZE="${NODE_SIZE:-4}"
LATER="${LATER:-20}"
PIN="${PIN:-auto}"
[[ $PIN == auto || $PIN == off ]] || { echo "PIN must be auto or off, got $PIN" >&2; exit 2; }
WORK="$(mktemp -d /tmp/lbaas-bench.XXXXXX)"
BACKEND1=127.0.0.1:18081
BACKEND2=127.0.0.1:18082
HAPROXY_VIP=127.0.0.2
AMPHORA_VIP=127.0.0.3
HTTP_PORT=18080
TCP_PORT=18090
HTTPS_PORT=18443
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  if [[ "${KEEP_WORK:-}" == 1 ]]; then echo "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }
need() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
  command -v openssl >/dev/null || missing+=(openssl)
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
need
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

if [[ ! -f dataplane-image/amphora/target/amphora.jar ]]; then
  ./mvnw -q -B -pl dataplane-image/amphora-config,dataplane-image/amphora -am package -DskipTests
fi

# --- backends: one nginx, two servers answering "web1" and "web2" ---------------------------
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  server { listen $BACKEND1 reuseport; location / { return 200 "web1\n"; } }
  server { listen $BACKEND2 reuseport; location / { return 200 "web2\n"; } }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK"

# --- agent certificates: a CA, the amphora's server certificate, a client certificate --------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench CA" \
  -keyout "$WORK/ca.key" -out "$WORK/ca.crt" 2>/dev/null
for who in amphora client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" \
    -keyout "$WORK/$who.key.ec" -out "$WORK/$who.csr" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$WORK/$who.key.ec" -out "$WORK/$who.key"
  printf "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n" > "$WORK/$who.ext"
  openssl x509 -req -in "$WORK/$who.csr" -CA "$WORK/ca.crt" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
    -extfile "$WORK/$who.ext" -out "$WORK/$who.crt" 2>/dev/null
done

# --- the TLS rows' certificate: ECDSA P-256, the same file for both proxies; TLS 1.3 with
# TLS_AES_128_GCM_SHA256 on both, so that both do the same handshake and the same record crypto.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=bench.example" \
  -addext "subjectAltName=DNS:bench.example" -keyout "$WORK/bench.key.ec" -out "$WORK/bench.crt" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$WORK/bench.key.ec" -out "$WORK/bench.key"
cat "$WORK/bench.crt" "$WORK/bench.key" > "$WORK/bench.pem"
json_text() { awk 'BEGIN { ORS = "" } { gsub(/"/, "\\\""); print $0 "\\n" }' "$1"; }
TLS_CHAIN="$(json_text "$WORK/bench.crt")"
TLS_KEY="$(json_text "$WORK/bench.key")"

amphora_config() { # generation, weight of web1
  cat <<JSON
{"generation":$1,"loadBalancerId":"bench","vipAddress":"$AMPHORA_VIP","adminStateUp":true,
 "listeners":[
  {"id":"http","name":"http","protocol":"HTTP","protocolPort":$HTTP_PORT,"connectionLimit":-1,"adminStateUp":true,"defaultPoolId":"web-http"},
  {"id":"tcp","name":"tcp","protocol":"TCP","protocolPort":$TCP_PORT,"connectionLimit":-1,"adminStateUp":true,"defaultPoolId":"web-tcp"},
  {"id":"https","name":"https","protocol":"TERMINATED_HTTPS","protocolPort":$HTTPS_PORT,"connectionLimit":-1,"adminStateUp":true,"defaultPoolId":"web-http",
   "tls":{"defaultCertificate":{"id":"bench","certificateChain":"$TLS_CHAIN","privateKey":"$TLS_KEY"},
          "tlsVersions":["TLSv1.3"],"ciphers":"TLS_AES_128_GCM_SHA256","alpnProtocols":["http/1.1"]}}],
 "pools":[
  {"id":"web-http","name":"web-http","protocol":"HTTP","lbAlgorithm":"ROUND_ROBIN","adminStateUp":true,"members":[
    {"id":"web1","name":"web1","address":"127.0.0.1","protocolPort":${BACKEND1##*:},"weight":$2,"backup":false,"adminStateUp":true},
    {"id":"web2","name":"web2","address":"127.0.0.1","protocolPort":${BACKEND2##*:},"weight":1,"backup":false,"adminStateUp":true}]},
  {"id":"web-tcp","name":"web-tcp","protocol":"TCP","lbAlgorithm":"ROUND_ROBIN","adminStateUp":true,"members":[
    {"id":"web1t","name":"web1","address":"127.0.0.1","protocolPort":${BACKEND1##*:},"weight":$2,"backup":false,"adminStateUp":true},
    {"id":"web2t","name":"web2","address":"127.0.0.1","protocolPort":${BACKEND2##*:},"weight":1,"backup":false,"adminStateUp":true}]}]}
JSON
}

push_config() { # generation, weight of web1
  amphora_config "$1" "$2" | curl -sf -o /dev/null --cacert "$WORK/ca.crt" --cert "$WORK/client.crt" \
    --key "$WORK/client.key" -X PUT -H 'Content-Type: application/json' --data-binary @- \
    "https://127.0.0.1:$(cat "$WORK/agent.port")/v1/config"
}

start_amphora() { # worker threads
  rm -f "$WORK/agent.port"
  # The amphora runs as the image and the local driver run it: with the JVM options of
  # dataplane-image/amphora/jvm.options, the class-data archive the build makes beside the jar
  # (ClassDataTraining.java) and the environment of AmphoraJavaCommand.ENVIRONMENT.
  local started=${EPOCHREALTIME/[.,]/}
  # shellcheck disable=SC2086 # AMPHORA_JAVA_OPTS and AMPHORA_ARGS hold several options
  MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" \
    "$JVM" @dataplane-image/amphora/jvm.options "${JVM_OPTIONS[@]}" ${AMPHORA_JAVA_OPTS:-} -jar dataplane-image/amphora/target/amphora.jar --id bench \
    --agent-address 127.0.0.1 --agent-port 0 --agent-port-file "$WORK/agent.port" --workers "$1" --cpu-affinity "$PIN" \
    --tls-cert "$WORK/amphora.crt" --tls-key "$WORK/amphora.key" --tls-ca "$WORK/ca.crt" ${AMPHORA_ARGS:-} \
    > "$WORK/amphora.log" 2>&1 &
  AMPHORA_PID=$!
  PIDS+=("$AMPHORA_PID")
  for _ in $(seq 300); do [[ -s "$WORK/agent.port" ]] && break; sleep 0.1; done
  push_config 1 1
  AMPHORA_READY_MS=$(( (${EPOCHREALTIME/[.,]/} - started) / 1000 ))
  # An archive that does not fit the JVM or the jar is dropped by the JVM without a word
  # (ClassDataArchive.java says so in the amphora's log): the JVM's line above the table says so.
  # (An AOT cache that does not fit stops the amphora: it runs with -XX:AOTMode=on.)
  if [[ $JVM_LABEL == *cds ]] && ! grep -q 'classes shared from' "$WORK/amphora.log"; then
    echo "warning: the amphora did not map ${JVM_OPTIONS[*]} (see $WORK/amphora.log; KEEP_WORK=1 keeps it)" >&2
    JVM_UNMAPPED[$JVM_INDEX]=1
  fi
  # io_uring where the kernel allows it, else epoll (see Transport.java); the table says which ran
  AMPHORA_TRANSPORT="$(grep -o 'event loops on [A-Z_]*' "$WORK/amphora.log" | awk '{print $4}' | head -1)"
}

# Every JVM of AMPHORA_JAVA, checked and prepared before anything is measured, so that a wrong
# path or a failed AOT cache training stops the run at once rather than after the first JVM's
# rows: its executable (JVM_EXES), its options beyond jvm.options (JVM_OPTION_LINES, one string;
# the paths in them hold no spaces) and its name in the table (JVM_LABELS). See AMPHORA_JAVA at the top.
JVM_EXES=(); JVM_OPTION_LINES=(); JVM_LABELS=(); JVM_DETAILS=(); JVM_UNMAPPED=()
read -ra requested_jvms <<<"${AMPHORA_JAVA:-java}"
((${#requested_jvms[@]})) || requested_jvms=(java)
for java in "${requested_jvms[@]}"; do
  settings="$("$java" -XshowSettings:properties -version 2>&1)" \
    || { echo "AMPHORA_JAVA: cannot run $java: $settings" >&2; exit 2; }
  feature="$(awk -F'= ' '/java.specification.version/ {print $2}' <<<"$settings")"
  runtime="$(awk -F'= ' '/java.runtime.version/ {print $2}' <<<"$settings")"
  [[ $feature =~ ^[0-9]+$ ]] || { echo "AMPHORA_JAVA: $java names no Java version" >&2; exit 2; }
  index=${#JVM_EXES[@]}
  options=()
  if ((feature >= 25)); then
    options=(-XX:+UseCompactObjectHeaders)
    cache="$WORK/amphora-$index.aot"
    echo "training an AOT cache for $java"
    # shellcheck disable=SC2086 # AMPHORA_JAVA_OPTS holds several options; the cache fits them only
    # The training's amphora is a child process with the options of the training's JVM, and
    # the AOT cache is the child's (ClassDataTraining.java).
    "$java" @dataplane-image/amphora/jvm.options "${options[@]}" ${AMPHORA_JAVA_OPTS:-} \
      -Xlog:aot*=error,cds*=error -jar dataplane-image/amphora/target/amphora.jar --class-data-training \
      --amphora-jvm-option -XX:AOTCacheOutput="$cache" \
      > "$WORK/aot-training.log" 2>&1 \
      || { echo "AOT cache training on $java failed:" >&2; tail -20 "$WORK/aot-training.log" >&2; exit 1; }
    options+=(-XX:AOTCache="$cache" -XX:AOTMode=on)
    label="$feature aot"
  elif [[ $java == java && -f dataplane-image/amphora/target/amphora.jsa ]]; then
    options=(-XX:SharedArchiveFile=dataplane-image/amphora/target/amphora.jsa)
    label="$feature cds"
  else
    label="$feature"
  fi
  for known in "${JVM_LABELS[@]}"; do [[ $known == "$label" ]] && label+=" #$((index + 1))"; done
  JVM_EXES+=("$java"); JVM_OPTION_LINES+=("${options[*]}"); JVM_LABELS+=("$label")
  JVM_DETAILS+=("$label: Java $runtime ${options[*]//$WORK\//}")
  JVM_UNMAPPED+=(0)
done

# The JVM the amphora runs on next: $JVM, its options JVM_OPTIONS and its label JVM_LABEL.
use_jvm() { # index into JVM_EXES
  JVM_INDEX=$1
  JVM=${JVM_EXES[$1]}
  read -ra JVM_OPTIONS <<<"${JVM_OPTION_LINES[$1]}"
  JVM_LABEL=${JVM_LABELS[$1]}
}

# The CPUs this script, and so both proxies, may run on, space separated.
allowed_cpus() {
  local list part cpus=()
  list="$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)"
  IFS=',' read -ra parts <<<"$list"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then mapfile -t -O "${#cpus[@]}" cpus < <(seq "${part%-*}" "${part#*-}"); else cpus+=("$part"); fi
  done
  echo "${cpus[*]}"
}
read -ra ALLOWED_CPUS <<<"$(allowed_cpus)"

# The amphora gives each event loop a CPU of its own when it has as many loops as it may use CPUs
# (--cpu-affinity auto, see CpuAffinity.java); HAProxy's equivalent is cpu-map, one thread per CPU.
# PIN=off runs both unpinned (the amphora with --cpu-affinity off), wrk and nginx too, for comparison.
pinned() { [[ $PIN != off ]] && (($1 == ${#ALLOWED_CPUS[@]})); }
threads_label() { if pinned "$1"; then echo "$1 pinned"; else echo "$1"; fi; }

# In the pinned rows the load and the backends get a CPU each too: wrk the first this script may
# use, nginx the last. Two pinned proxy threads, wrk and nginx are four busy threads on two cores,
# and where the scheduler happened to put wrk and nginx decided whole turns: in one unpinned
# two-worker keep-alive row, six of the fourteen turns ran at 40,700-47,800 requests/s with p99s
# of 3.5-5.1 ms, the other eight at 49,500-56,200 with 2.2-3.6 ms, whichever proxy it was. With
# one proxy thread nothing is pinned: a thread that floats must share a CPU with wrk or nginx,
# which then cannot move out of its way (one keep-alive row so: 12,600-35,500 requests/s).
WRK_CPU="${ALLOWED_CPUS[0]}"
NGINX_CPU="${ALLOWED_CPUS[-1]}"
pinning() { [[ $PIN == off ]] || echo "; pinned rows: a CPU for each proxy thread, wrk on CPU $WRK_CPU, nginx on CPU $NGINX_CPU"; }
LOAD_CPU=()
place_load_and_backends() { # proxy worker threads
  local cpus="${ALLOWED_CPUS[*]}" pid
  cpus="${cpus// /,}"
  LOAD_CPU=()
  if pinned "$1"; then
    LOAD_CPU=(taskset -c "$WRK_CPU")
    cpus="$NGINX_CPU"
  fi
  for pid in $(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")"); do
    taskset -p -c "$cpus" "$pid" > /dev/null
  done
}

start_haproxy() { # worker threads
  local cpu_map=""
  if pinned "$1"; then cpu_map="cpu-map auto:1/1-$1 ${ALLOWED_CPUS[*]}"; fi
  cat > "$WORK/haproxy.cfg" <<HAPROXY
global
  nbthread $1
  $cpu_map
  maxconn 4000
  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256
  ssl-default-bind-options ssl-min-ver TLSv1.3
defaults
  timeout connect 5s
  timeout client 50s
  timeout server 50s
frontend http
  mode http
  bind $HAPROXY_VIP:$HTTP_PORT
  default_backend web-http
backend web-http
  mode http
  balance roundrobin
  server web1 $BACKEND1
  server web2 $BACKEND2
frontend https
  mode http
  bind $HAPROXY_VIP:$HTTPS_PORT ssl crt $WORK/bench.pem alpn http/1.1
  default_backend web-http
frontend tcp
  mode tcp
  bind $HAPROXY_VIP:$TCP_PORT
  default_backend web-tcp
backend web-tcp
  mode tcp
  balance roundrobin
  server web1 $BACKEND1
  server web2 $BACKEND2
HAPROXY
  haproxy -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  PIDS+=("$HAPROXY_PID")
  sleep 0.5
}

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# "92.1 (anon 65.3, file 26.8)"
rss_detail() {
  awk '/VmRSS/ {t = $2} /RssAnon/ {a = $2} /RssFile/ {f = $2}
    END {printf "%.1f (anon %.1f, file %.1f)", t / 1024, a / 1024, f / 1024}' "/proc/$1/status"
}
IDLE_DETAILS=()

# wrk output -> "requests_per_second p99_ms errors"
measure() { # url [extra wrk args...]
  local url=$1; shift
  local out
  out="$("${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")"
  local rps p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")"
  errors="$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END {print n+0}' <<<"$out")"
  echo "$rps $p99 $errors"
}

# The same load as the measurements, right before them, in WARMUP_RUNS runs of WARMUP each: every
# run opens its connections anew, as connections come and go on a serving load balancer.
warm_up() { # url [extra wrk args...]
  local url=$1; shift
  for _ in $(seq "$WARMUP_RUNS"); do
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" > /dev/null
  done
}

# "rps p99 errors" lines of several rounds -> "median_rps median_p99 total_errors"
medians() {
  printf '%s\n' "$@" | awk '{ rps[NR] = $1; p99[NR] = $2; errors += $3 }
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { printf "%.2f %.3f %d\n", median(rps, NR), median(p99, NR), errors }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# One row of the table from the caller's turns, a_runs and h_runs ("rps p99 errors" each): each
# proxy's medians and their ratios.
add_row() { # worker threads, test
  local a_rps a_p99 a_err h_rps h_p99 h_err
  read -r a_rps a_p99 a_err < <(medians "${a_runs[@]}")
  read -r h_rps h_p99 h_err < <(medians "${h_runs[@]}")
  ROWS+=("$JVM_LABEL|$(threads_label "$1")|$2|$a_rps|$h_rps|$(ratio "$a_rps" "$h_rps")|$a_p99|$h_p99|$(ratio "$a_p99" "$h_p99")|$a_err/$h_err")
}

# The CPU time of a process's threads, in ms, summed by kind: "loops C2 C1 GC other" (event
# loops, the two JIT compilers, the collector, the rest), from /proc (a thread's name is the
# second field of its stat line, in parentheses; user and system time the 14th and 15th).
thread_cpu_ms() { # pid
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" '{
      name = substr($0, index($0, "(") + 1); name = substr(name, 1, match(name, /\) [A-Za-z] /) - 1)
      split(substr($0, match($0, /\) [A-Za-z] /) + 2), f, " "); t = (f[12] + f[13]) * 1000 / hz
      if (name ~ /^amphora-loop/) k = 1; else if (name ~ /^C2 Compiler/) k = 2
      else if (name ~ /^C1 Compiler/) k = 3; else if (name ~ /GC|G1/) k = 4; else k = 5
      ms[k] += t }
    END { printf "%d %d %d %d %d\n", ms[1], ms[2], ms[3], ms[4], ms[5] }'
}

# With COLD_PROFILE=1: second by second, the CPU time the amphora's threads took during its first
# COLD_LONG turn of a cold-start row, by kind (docs/benchmark.md: where a cold start goes).
# It runs beside the measurement, so it writes its lines to a file: "label|second|loops C2 C1 GC other".
profile_cold_start() { # pid seconds label
  local pid=$1 seconds=$2 second before after
  before="$(thread_cpu_ms "$pid")"
  for ((second = 1; second <= seconds; second++)); do
    sleep 1
    after="$(thread_cpu_ms "$pid")"
    echo "$3|$second|$(awk -v a="$after" -v b="$before" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
      for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), x[i] - y[i] }')" >> "$WORK/cold-profile.txt"
    before=$after
  done
}

# Idle memory per proxy on a node that runs several: NODE_SIZE (4) amphorae, then as many HAProxies,
# each with the benchmark's configuration on a VIP of its own and a WARMUP of keep-alive load, then,
# SETTLE seconds later, each one's proportional (PSS: pages shared with the others counted in
# shares) and private (USS: what one more of them adds) resident memory, means over the NODE_SIZE.
# The proxies the other rows measure are started anew afterwards.
node_memory() { # worker threads
  local i amphorae=() haproxies=()
  kill "$AMPHORA_PID" "$HAPROXY_PID"; wait "$AMPHORA_PID" "$HAPROXY_PID" 2>/dev/null || true
  for i in $(seq "$NODE_SIZE"); do
    AMPHORA_VIP=127.0.1.$i start_amphora "$1"
    amphorae+=("$AMPHORA_PID")
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.1.$i:$HTTP_PORT/" > /dev/null
  done
  for i in $(seq "$NODE_SIZE"); do
    HAPROXY_VIP=127.0.2.$i start_haproxy "$1"
    haproxies+=("$HAPROXY_PID")
    "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.2.$i:$HTTP_PORT/" > /dev/null
  done
  sleep "$SETTLE"
  ROWS+=("$JVM_LABEL|$(threads_label "$1")|pss / uss MiB, node of $NODE_SIZE|$(shared_memory "${amphorae[@]}")|$(shared_memory "${haproxies[@]}")|||||")
  kill "${amphorae[@]}" "${haproxies[@]}"; wait "${amphorae[@]}" "${haproxies[@]}" 2>/dev/null || true
  start_amphora "$1"
  start_haproxy "$1"
}

# "52.1 / 41.0": the mean PSS and USS of processes, MiB
shared_memory() { # pids...
  local pid
  for pid in "$@"; do cat "/proc/$pid/smaps_rollup"; done | awk -v n=$# '/^Pss:/ {p += $2}
    /^Private_(Clean|Dirty):/ {u += $2} END {printf "%.1f / %.1f", p / n / 1024, u / n / 1024}'
}

# The cold-start rows of one thread count (see the top): each proxy started anew for every turn.
cold_start() { # worker threads
  local span a_runs h_runs
  for span in "$COLD_SHORT" "$COLD_LONG"; do
    a_runs=(); h_runs=()
    for _ in $(seq "$COLD_ROUNDS"); do
      kill "$AMPHORA_PID"; wait "$AMPHORA_PID" 2>/dev/null || true
      start_amphora "$1"
      READY_MS+=("$JVM_LABEL|$AMPHORA_READY_MS")
      local profiler=""
      if [[ ${COLD_PROFILE:-0} == 1 && $span == "$COLD_LONG" && ${#a_runs[@]} == 0 ]]; then
        profile_cold_start "$AMPHORA_PID" "${COLD_LONG%s}" "$JVM_LABEL, $(threads_label "$1")" &
        profiler=$!
      fi
      a_runs+=("$(DURATION=$span measure "http://$AMPHORA_VIP:$HTTP_PORT/")")
      [[ -z $profiler ]] || wait "$profiler" || true
      kill "$HAPROXY_PID"; wait "$HAPROXY_PID" 2>/dev/null || true
      start_haproxy "$1"
      h_runs+=("$(DURATION=$span measure "http://$HAPROXY_VIP:$HTTP_PORT/")")
      echo "$(threads_label "$1") cold start, first $span, turn ${#a_runs[@]}: amphora ${a_runs[-1]}, haproxy ${h_runs[-1]} (req/s p99_ms errors)" >&2
    done
    add_row "$1" "cold start, first $span"
  done
}

ROWS=()
READY_MS=()
for jvm_index in "${!JVM_EXES[@]}"; do
use_jvm "$jvm_index"
for threads in $THREADS; do
  start_amphora "$threads"
  start_haproxy "$threads"
  place_load_and_backends "$threads"
  sleep 1
  for kind in $TESTS; do
    case $kind in
      keepalive) path="http"; port=$HTTP_PORT; args=() ;;
      close) path="http"; port=$HTTP_PORT; args=(-H "Connection: close") ;;
      tcp) path="http"; port=$TCP_PORT; args=() ;;
      # HTTPS keep-alive: the record layer's cost; every request a new connection: full handshakes
      # (wrk resumes no session), so its requests/s are handshakes/s
      tls-keepalive) path="https"; port=$HTTPS_PORT; args=() ;;
      tls-handshake) path="https"; port=$HTTPS_PORT; args=(-H "Connection: close") ;;
      cold-start) cold_start "$threads"; continue ;;
      node-memory) node_memory "$threads"; continue ;;
      *) echo "unknown test $kind" >&2; exit 2 ;;
    esac
    warm_up "$path://$AMPHORA_VIP:$port/" "${args[@]}"
    warm_up "$path://$HAPROXY_VIP:$port/" "${args[@]}"
    a_runs=(); h_runs=()
    for _ in $(seq "$ROUNDS"); do
      a_runs+=("$(measure "$path://$AMPHORA_VIP:$port/" "${args[@]}")")
      [[ -n ${load_rss:-} ]] || load_rss="$(rss_mib "$AMPHORA_PID")"
      h_runs+=("$(measure "$path://$HAPROXY_VIP:$port/" "${args[@]}")")
      echo "$(threads_label "$threads") $kind turn ${#a_runs[@]}: amphora ${a_runs[-1]}, haproxy ${h_runs[-1]} (req/s p99_ms errors)" >&2
    done
    add_row "$threads" "$kind"
  done
  # Idle is what a served load balancer holds once its traffic stopped: after the load, settled
  # (the JVM hands freed native memory back within seconds, see jvm.options).
  sleep "$SETTLE"
  idle_detail="$(rss_detail "$AMPHORA_PID")"
  idle_rss="${idle_detail%% *}"
  haproxy_idle_rss="$(rss_mib "$HAPROXY_PID")"
  if ((LATER > 0)); then
    sleep "$LATER"
    idle_detail+=", $((SETTLE + LATER)) s after: $(rss_detail "$AMPHORA_PID")"
  fi
  IDLE_DETAILS+=("$JVM_LABEL, $(threads_label "$threads"): ${SETTLE} s after the load $idle_detail")
  ROWS+=("$JVM_LABEL|$(threads_label "$threads")|rss MiB idle / load|$idle_rss / ${load_rss:-n/a}|$haproxy_idle_rss|||||")
  load_rss=""
  kill "$AMPHORA_PID" "$HAPROXY_PID"; wait "$AMPHORA_PID" "$HAPROXY_PID" 2>/dev/null || true
done
done

echo
echo "amphora (${AMPHORA_TRANSPORT:-unknown transport}, MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}) vs HAProxy $(haproxy -v | head -1 | awk '{print $3}'), wrk -t1 -c$CONNECTIONS, median of $ROUNDS turns of $DURATION after $WARMUP_RUNS x $WARMUP warm-up, $(nproc) cores shared by load, proxies and backends$(pinning)"
for jvm_index in "${!JVM_DETAILS[@]}"; do
  printf 'amphora JVM %s%s\n' "${JVM_DETAILS[$jvm_index]}" \
    "$( ((JVM_UNMAPPED[jvm_index])) && echo " (the class-data archive NOT mapped in some of its starts)")"
done
printf "%-7s | %-8s | %-22s | %12s | %12s | %6s | %9s | %9s | %6s | %s\n" jvm threads test "amphora r/s" "haproxy r/s" ratio "amp p99ms" "hap p99ms" ratio "errors a/h"
for row in "${ROWS[@]}"; do
  IFS='|' read -r j t k ar hr r ap hp pr e <<<"$row"
  printf "%-7s | %-8s | %-22s | %12s | %12s | %6s | %9s | %9s | %6s | %s\n" "$j" "$t" "$k" "$ar" "$hr" "$r" "$ap" "$hp" "$pr" "$e"
done
((${#IDLE_DETAILS[@]})) && printf 'amphora idle MiB, %s\n' "${IDLE_DETAILS[@]}"
if [[ -s $WORK/cold-profile.txt ]]; then
  awk -F'|' '$1 != label { label = $1; printf "amphora threads, CPU ms in each second of a %s cold start (%s): event loops, C2, C1, GC, other\n", span, label }
    { printf "  %3d s: %s\n", $2, $3 }' span="$COLD_LONG" "$WORK/cold-profile.txt"
fi
# per JVM: the median and range of the times from an amphora's start to its configuration served
((${#READY_MS[@]})) && printf '%s\n' "${READY_MS[@]}" | sort -t'|' -k1,1 -k2,2n | awk -F'|' '
  function report() { printf "cold start, %s: the amphora served its configuration %d ms after its process started (median; %d-%d ms)\n", label, v[int((n + 1) / 2)], v[1], v[n] }
  $1 != label { if (n) report(); label = $1; n = 0 }
  { v[++n] = $2 }
  END { if (n) report() }'

# --- reload under load: RELOADS generations pushed while wrk runs ------------------------------
((RELOADS > 0)) || exit 0
use_jvm 0
start_amphora 2
place_load_and_backends 2
"${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d30s "http://$AMPHORA_VIP:$HTTP_PORT/" > "$WORK/reload-wrk.txt" &
WRK_PID=$!
sleep 1
for generation in $(seq 2 $((RELOADS + 1))); do
  push_config "$generation" $((generation % 3 + 1))
  sleep 0.1
done
wait "$WRK_PID"
failed="$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(/,/,""); n+=$4+$6+$8+$10} END {print n+0}' "$WORK/reload-wrk.txt")"
total="$(awk '/requests in/ {print $1}' "$WORK/reload-wrk.txt")"
echo
echo "reload under load: $RELOADS configuration generations pushed during wrk: $total requests, $failed failed"
