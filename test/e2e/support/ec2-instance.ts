import { sandbox } from '../../support/sandbox';

/**
 * Starts an EC2 instance in moto (there is no EC2 client among the project's dependencies: one Query API
 * call does it) and returns its ID and private DNS name: what the authenticator renders
 * `{{EC2PrivateDNSName}}` from (DescribeInstances) when a node signs in with a session named after it.
 */
export async function ec2Instance(): Promise<{ instanceId: string; privateDnsName: string }> {
  const { aws } = sandbox();
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const call = async (params: Record<string, string>) => {
    const response = await fetch(`${aws.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // moto routes by the credential scope's service; it does not check the signature.
        authorization: `AWS4-HMAC-SHA256 Credential=${aws.accessKeyId}/${day}/${aws.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Version: '2016-11-15', ...params }).toString(),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`EC2 ${params.Action} failed in moto: ${response.status} ${text.slice(0, 300)}`);
    return text;
  };
  const images = await call({ Action: 'DescribeImages' });
  const imageId = /<imageId>(ami-[0-9a-f]+)<\/imageId>/.exec(images)?.[1];
  if (!imageId) throw new Error('moto lists no AMI to start an instance from');
  const run = await call({
    Action: 'RunInstances',
    ImageId: imageId,
    MinCount: '1',
    MaxCount: '1',
    InstanceType: 't3.medium',
  });
  const instanceId = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(run)?.[1];
  const privateDnsName = /<privateDnsName>([^<]+)<\/privateDnsName>/.exec(run)?.[1];
  if (!instanceId || !privateDnsName)
    throw new Error('RunInstances in moto gave no instance ID or private DNS name');
  return { instanceId, privateDnsName };
}
