package dev.lbaas.api.v1alpha1;

/** Octavia's provisioning_status: where the object is in being put onto the amphorae. */
public enum ProvisioningStatus {
    ACTIVE,
    PENDING_CREATE,
    PENDING_UPDATE,
    PENDING_DELETE,
    DELETED,
    ERROR
}
