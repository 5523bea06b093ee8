"""moto's server, with one change: EKS clusters lead to the sandbox's real kube-apiserver.

moto invents each cluster's endpoint and CA. Once the sandbox's apiserver runs, the sandbox writes its
endpoint and CA to the JSON file named by SANDBOX_EKS_ENDPOINTS; every
cluster created after that answers DescribeCluster with them, so the functions reach the cluster as
they reach EKS: DescribeCluster, then an EKS token. With several clusters the file maps each name to its
own apiserver ({"byName": {name: {...}}, "default": {...}}); other names lead to the default one. Nothing
else about moto changes.
"""

import json
import os
import sys

from moto.eks import models
from moto.server import main

_created = models.Cluster.__init__


def _created_on_the_sandbox(self, *args, **kwargs):
    _created(self, *args, **kwargs)
    path = os.environ.get("SANDBOX_EKS_ENDPOINTS")
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            sandbox = json.load(file)
        apiserver = sandbox["byName"].get(self.name, sandbox["default"])
        self.endpoint = apiserver["endpoint"]
        self.certificate_authority = {"data": apiserver["caData"]}


models.Cluster.__init__ = _created_on_the_sandbox

if __name__ == "__main__":
    sys.exit(main())
