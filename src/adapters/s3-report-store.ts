import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReportStore } from '../app/review/publish-review';

/** Storing a review report failed; the message names the bucket and key. */
export class ReportStoreError extends Error {
  override name = 'ReportStoreError';
}

/**
 * Review reports in the stack's bucket. Every object is written encrypted at rest (the bucket's
 * default encryption, asked for again per object so a changed bucket setting cannot drop it).
 */
export function s3ReportStore(client: Pick<S3Client, 'send'>, bucket: string): ReportStore {
  return {
    async put(key, body, contentType) {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ServerSideEncryption: 'AES256',
          }),
        );
      } catch (error) {
        throw new ReportStoreError(
          `storing s3://${bucket}/${key}: ${(error as Error).name}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}
