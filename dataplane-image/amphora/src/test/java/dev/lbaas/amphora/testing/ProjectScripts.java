package dev.lbaas.amphora.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The project's own scripts that find or build the tools tests run (Node.js, h2spec, ...). */
public final class ProjectScripts {

    private ProjectScripts() {
    }

    /**
     * Runs {@code scripts/<name>} and returns the path it prints: the tool, found or built.
     *
     * @param what the tool, for the error when the script fails
     */
    public static String toolPath(String name, String what) throws IOException, InterruptedException {
        Path script = repositoryFile("scripts/" + name);
        Process find = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String path = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (find.waitFor() != 0 || path.isEmpty()) {
            throw new IllegalStateException(script + " found no " + what + " and could not provide one");
        }
        return path;
    }

    /** A file of the repository, found by walking up from the working directory. */
    public static Path repositoryFile(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IllegalStateException("no " + relative + " above " + Path.of("").toAbsolutePath());
    }
}
