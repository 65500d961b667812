#!/usr/bin/env python3
"""Writes an OCI image archive holding one static executable as its entrypoint.

    oci-image.py <executable> <image name> <archive>

For the sandbox image of the single-node test cluster, which containerd needs before it can start
any pod and which no registry can provide here. The product's own images are built by Jib
(dataplane-image/images); this writes the one-file image the cluster itself needs.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def blob(archive, data, media_type):
    digest = hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
    return {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}


def main(executable, name, output):
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as tar:
        info = tar.gettarinfo(executable, arcname=os.path.basename(executable))
        info.mode, info.uid, info.gid, info.uname, info.gname, info.mtime = 0o755, 0, 0, "", "", 0
        with open(executable, "rb") as f:
            tar.addfile(info, f)
    uncompressed = layer.getvalue()
    entrypoint = "/" + os.path.basename(executable)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Entrypoint": [entrypoint], "User": "65535:65535"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
    }
    with tarfile.open(output, "w") as archive:
        layer_descriptor = blob(archive, gzip.compress(uncompressed, mtime=0),
                                "application/vnd.oci.image.layer.v1.tar+gzip")
        config_descriptor = blob(archive, json.dumps(config).encode(), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_descriptor, "layers": [layer_descriptor]}
        manifest_descriptor = blob(archive, json.dumps(manifest).encode(),
                                   "application/vnd.oci.image.manifest.v1+json")
        manifest_descriptor["annotations"] = {"io.containerd.image.name": name,
                                              "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1]}
        for file_name, content in (("oci-layout", {"imageLayoutVersion": "1.0.0"}),
                                   ("index.json", {"schemaVersion": 2, "manifests": [manifest_descriptor]})):
            data = json.dumps(content).encode()
            info = tarfile.TarInfo(file_name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main(*sys.argv[1:4])
