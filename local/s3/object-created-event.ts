import type { S3Event } from 'aws-lambda';
import { encodeS3Key } from './url-encoding.ts';

/** An object that a request created, as the emulator saw it. */
export interface CreatedObject {
  /** `Put`, `Post`, `Copy` or `CompleteMultipartUpload`, as in `ObjectCreated:<kind>`. */
  kind: 'Put' | 'Post' | 'Copy' | 'CompleteMultipartUpload';
  bucket: string;
  key: string;
  size: number;
  eTag: string;
  region: string;
  time: Date;
  sourceIp: string;
  requestId: string;
  hostId: string;
  principalId: string;
  sequencer: string;
}

/**
 * Builds the event S3 sends to Lambda for a created object: one record, with the key
 * URL-encoded as S3 does (form encoding: a space becomes `+`; `/` stays as it is).
 */
export function buildObjectCreatedEvent(object: CreatedObject): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: object.region,
        eventTime: object.time.toISOString(),
        eventName: `ObjectCreated:${object.kind}`,
        userIdentity: { principalId: object.principalId },
        requestParameters: { sourceIPAddress: object.sourceIp },
        responseElements: {
          'x-amz-request-id': object.requestId,
          'x-amz-id-2': object.hostId,
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'local-object-created',
          bucket: {
            name: object.bucket,
            ownerIdentity: { principalId: object.principalId },
            arn: `arn:aws:s3:::${object.bucket}`,
          },
          object: {
            key: encodeS3Key(object.key),
            size: object.size,
            eTag: object.eTag,
            sequencer: object.sequencer,
          },
        },
      },
    ],
  };
}
