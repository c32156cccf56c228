import { describe, expect, it } from 'vitest';
import {
  AppError,
  ConfigError,
  ForbiddenError,
  UnauthorizedError,
  ValidationError,
} from '../../../shared/errors.ts';
import { errorResponse } from '../../../shared/http.ts';

const bodyOf = (response: ReturnType<typeof errorResponse>) =>
  JSON.parse(response.body ?? '') as unknown;

describe('errorResponse', () => {
  it('shows an exposed error with its status and every field problem', () => {
    const response = errorResponse(
      new ValidationError([
        { field: 'key', problem: 'is required' },
        { field: 'method', problem: 'must be one of GET, PUT, POST' },
      ]),
      'req-1',
    );
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      error: {
        code: 'ValidationError',
        message: 'key: is required; method: must be one of GET, PUT, POST',
        requestId: 'req-1',
        problems: [
          { field: 'key', problem: 'is required' },
          { field: 'method', problem: 'must be one of GET, PUT, POST' },
        ],
      },
    });
  });

  it('asks for a bearer token on 401 only', () => {
    expect(errorResponse(new UnauthorizedError('no'), 'r').headers).toMatchObject({
      'www-authenticate': 'Bearer',
    });
    expect(errorResponse(new ForbiddenError('no'), 'r').headers).not.toHaveProperty(
      'www-authenticate',
    );
  });

  it.each([
    ['a plain Error', new Error('connect ECONNREFUSED 10.0.0.7:443')],
    [
      'an unexposed AppError',
      new AppError('signing credentials expired', { status: 500, expose: false }),
    ],
    ['a ConfigError', new ConfigError([{ field: 'TABLE_NAME', problem: 'is required' }])],
    ['a thrown string', 'boom'],
  ])('turns %s into a 500 that says only which request failed', (_, error) => {
    const response = errorResponse(error, 'req-9');
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({
      error: { code: 'InternalError', message: 'internal error', requestId: 'req-9' },
    });
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' });
  });
});
