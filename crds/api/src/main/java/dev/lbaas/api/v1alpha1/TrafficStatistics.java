package dev.lbaas.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Octavia's statistics: counters since the amphorae started. */
public class TrafficStatistics {

    @JsonPropertyDescription("Bytes received from clients.")
    private long bytesIn;

    @JsonPropertyDescription("Bytes sent to clients.")
    private long bytesOut;

    @JsonPropertyDescription("Connections open now.")
    private long activeConnections;

    @JsonPropertyDescription("Connections accepted in all.")
    private long totalConnections;

    @JsonPropertyDescription("Requests that failed.")
    private long requestErrors;

    public TrafficStatistics() {
    }

    public TrafficStatistics(long bytesIn, long bytesOut, long activeConnections, long totalConnections,
            long requestErrors) {
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.activeConnections = activeConnections;
        this.totalConnections = totalConnections;
        this.requestErrors = requestErrors;
    }

    public long getBytesIn() {
        return bytesIn;
    }

    public void setBytesIn(long bytesIn) {
        this.bytesIn = bytesIn;
    }

    public long getBytesOut() {
        return bytesOut;
    }

    public void setBytesOut(long bytesOut) {
        this.bytesOut = bytesOut;
    }

    public long getActiveConnections() {
        return activeConnections;
    }

    public void setActiveConnections(long activeConnections) {
        this.activeConnections = activeConnections;
    }

    public long getTotalConnections() {
        return totalConnections;
    }

    public void setTotalConnections(long totalConnections) {
        this.totalConnections = totalConnections;
    }

    public long getRequestErrors() {
        return requestErrors;
    }

    public void setRequestErrors(long requestErrors) {
        this.requestErrors = requestErrors;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TrafficStatistics that)) {
            return false;
        }
        return bytesIn == that.bytesIn && bytesOut == that.bytesOut && activeConnections == that.activeConnections
                && totalConnections == that.totalConnections && requestErrors == that.requestErrors;
    }

    @Override
    public int hashCode() {
        return Objects.hash(bytesIn, bytesOut, activeConnections, totalConnections, requestErrors);
    }
}
