"""An EKS token generator that is not ours: botocore presigning, in the format aws-iam-authenticator
documents (README, "API Authorization from Outside a Cluster"), printed as the ExecCredential that a
kubeconfig `exec` entry (like the one `aws eks update-kubeconfig` writes) hands to kubectl.

usage: python botocore-token.py CLUSTER_ID [REGION]   (credentials from the AWS_* environment)
"""

import base64
import datetime
import json
import sys

import botocore.session
from botocore.signers import RequestSigner

cluster_id = sys.argv[1]
region = sys.argv[2] if len(sys.argv) > 2 else "us-east-1"
session = botocore.session.get_session()
client = session.create_client("sts", region_name=region)
signer = RequestSigner(
    client.meta.service_model.service_id,
    region,
    "sts",
    "v4",
    session.get_credentials(),
    session.get_component("event_emitter"),
)
url = signer.generate_presigned_url(
    {
        "method": "GET",
        "url": f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
        "body": {},
        "headers": {"x-k8s-aws-id": cluster_id},
        "context": {},
    },
    region_name=region,
    expires_in=60,
    operation_name="",
)
token = "k8s-aws-v1." + base64.urlsafe_b64encode(url.encode("utf-8")).decode("utf-8").rstrip("=")
expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=14)
print(
    json.dumps(
        {
            "kind": "ExecCredential",
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "spec": {},
            "status": {"expirationTimestamp": expires.strftime("%Y-%m-%dT%H:%M:%SZ"), "token": token},
        }
    )
)
