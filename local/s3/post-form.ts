import type { IncomingMessage } from 'node:http';
import { readBody } from '../read-body.ts';
import type { PostForm } from './post-policy-verifier.ts';

/** Whether a request is a browser upload form (POST Object): multipart/form-data to a bucket. */
export function isPostForm(method: string | undefined, contentType: string | undefined): boolean {
  return method === 'POST' && (contentType ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Reads a whole upload form. The body is kept, because s3rver must read the same form
 * after the policy is checked; local uploads are small enough to hold in memory.
 */
export async function readPostForm(
  req: IncomingMessage,
): Promise<{ body: Buffer; form: PostForm }> {
  const body = await readBody(req);
  const fields = new Map<string, string>();
  let fileSize = 0;
  try {
    const data = await new Response(body, {
      headers: { 'content-type': req.headers['content-type'] ?? '' },
    }).formData();
    for (const [name, value] of data) {
      if (typeof value === 'string') fields.set(name, value);
      else if (name.toLowerCase() === 'file') fileSize = value.size;
    }
  } catch {
    // An unreadable form has no policy: the verifier refuses it.
  }
  return { body, form: { fields, fileSize } };
}
