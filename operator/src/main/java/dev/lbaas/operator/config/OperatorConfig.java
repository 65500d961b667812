package dev.lbaas.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Operator settings, under {@code lbaas.*} in application.properties or as LBAAS_* environment variables. */
@ConfigMapping(prefix = "lbaas")
public interface OperatorConfig {

    /**
     * Where amphorae run: {@code local} (child processes) or {@code kubernetes} (pods). Unset:
     * {@code kubernetes} when the operator runs in a pod, {@code local} anywhere else.
     */
    Optional<String> driver();

    /** How often load balancer statistics are refreshed into status. */
    @WithDefault("15s")
    Duration statsRefresh();

    /** Where the operator keeps its CA and the local amphorae's files. */
    @WithDefault("${java.io.tmpdir}/lbaas-operator")
    String stateDirectory();

    Local local();

    Kubernetes kubernetes();

    /** Settings of the local-process driver. */
    interface Local {

        /**
         * The command that starts an amphora, before its own arguments, e.g. {@code java,-jar,amphora.jar}.
         * Empty: {@code amphora-jar} is run with this operator's java.
         */
        Optional<List<String>> amphoraCommand();

        /** The amphora's runnable jar, used when no amphora-command is given. */
        Optional<String> amphoraJar();

        /** VIPs are allocated as {@code <prefix>.x.y}. */
        @WithDefault("127.100")
        String vipPrefix();
    }

    /** Settings of the Kubernetes driver. */
    interface Kubernetes {

        /** The amphora image, for classes that name none (the chart sets the one it installs with). */
        Optional<String> amphoraImage();

        /** The pull policy of that image. Empty: Kubernetes' default for its tag. */
        Optional<String> amphoraImagePullPolicy();

        /**
         * The namespace of the operator's own objects (the CA Secret). Empty: the namespace of the
         * operator's pod, from its service account.
         */
        Optional<String> namespace();

        /** The Secret holding the amphora CA, created on first use and shared by every replica. */
        @WithDefault("lbaas-operator-ca")
        String caSecret();
    }
}
