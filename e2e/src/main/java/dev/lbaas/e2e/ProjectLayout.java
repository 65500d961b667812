package dev.lbaas.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the built parts of the project are, relative to the project's root directory. */
public record ProjectLayout(Path root) {

    /** The layout of the project this code runs from ({@code lbaas.project.dir}, else the working directory). */
    public static ProjectLayout current() {
        String configured = System.getProperty("lbaas.project.dir");
        Path root = Path.of(configured != null ? configured : "").toAbsolutePath().normalize();
        return new ProjectLayout(root);
    }

    public Path operatorJar() {
        return existing(root.resolve("operator/target/quarkus-app/quarkus-run.jar"));
    }

    public Path amphoraJar() {
        return existing(root.resolve("dataplane-image/amphora/target/amphora.jar"));
    }

    public Path examples() {
        return existing(root.resolve("examples"));
    }

    /** An image archive that dataplane-image/images builds: {@code amphora} or {@code operator}. */
    public Path imageArchive(String name) {
        return existing(root.resolve("dataplane-image/images/target/images/" + name + ".tar"));
    }

    public Path chart() {
        return existing(root.resolve("helm/lbaas-operator"));
    }

    public Path script(String name) {
        return existing(root.resolve("scripts/" + name));
    }

    public Path kubeBinariesScript() {
        return existing(root.resolve("scripts/kube-binaries.sh"));
    }

    private static Path existing(Path path) {
        if (!Files.exists(path)) {
            throw new IllegalStateException(path + " does not exist: build the project first (./mvnw install -DskipTests)");
        }
        return path;
    }
}
