import { describe, expect, it } from 'vitest';
import { classifyFailure, describeError } from '../../src/errors/failure-class.js';
import { HubError, TransientError } from '../../src/errors/hub-error.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('failure classification', () => {
  describe('the input is at fault: permanent', () => {
    it.each(['VALIDATION_FAILED', 'MALFORMED_BODY', 'BAD_REQUEST', 'FORBIDDEN', 'SENDER_MISMATCH', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE'] as const)(
      'HubError %s (4xx) is permanent',
      (code) => {
        const err = new HubError(code);
        expect(err.status).toBeGreaterThanOrEqual(400);
        expect(err.status).toBeLessThan(500);
        expect(classifyFailure(err)).toBe('permanent');
      },
    );
  });

  describe('the environment is at fault: transient (retry, then dead-letter)', () => {
    it.each(['INTERNAL', 'SERVICE_UNAVAILABLE'] as const)('HubError %s (5xx) is transient', (code) => {
      expect(new HubError(code).status).toBeGreaterThanOrEqual(500);
      expect(classifyFailure(new HubError(code))).toBe('transient');
    });

    it('TransientError is transient', () => {
      expect(classifyFailure(new TransientError('lock timeout'))).toBe('transient');
    });

    it.each([
      ['08006', 'connection failure'],
      ['08001', 'cannot connect'],
      ['57P01', 'admin shutdown'],
      ['53300', 'too many connections'],
      ['40001', 'serialization failure'],
      ['40P01', 'deadlock detected'],
      ['55P03', 'lock not available'],
    ])('PostgreSQL SQLSTATE %s (%s) is transient', (code) => {
      expect(classifyFailure(withCode(code))).toBe('transient');
    });

    it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])('network error %s is transient', (code) => {
      expect(classifyFailure(withCode(code, `connect ${code} 127.0.0.1:5432`))).toBe('transient');
    });

    it.each([
      ['a plain Error (a bug)', new Error('Cannot read properties of undefined')],
      ['a TypeError', new TypeError('x is not a function')],
      ['a thrown string', 'boom'],
      ['undefined', undefined],
      ['null', null],
      ['an object with a numeric code', { code: 500 }],
    ])('an unknown failure, %s, is transient so the message stays replayable', (_label, err) => {
      expect(classifyFailure(err)).toBe('transient');
    });
  });
});

describe('describing an error for the ledger', () => {
  it('prefixes a driver error\'s code', () => {
    expect(describeError(withCode('ECONNREFUSED', 'connect refused'))).toBe('ECONNREFUSED: connect refused');
  });

  it('gives a HubError\'s detail without its catalogue code', () => {
    expect(describeError(new HubError('VALIDATION_FAILED', 'the notice names unknown recipients'))).toBe('the notice names unknown recipients');
  });

  it('defaults a HubError\'s message to its catalogue title', () => {
    expect(new HubError('NOT_FOUND').message).toBe('No such resource, or not visible to the caller');
  });

  it('stringifies what is not an Error', () => {
    expect(describeError('boom')).toBe('boom');
    expect(describeError(42)).toBe('42');
  });
});
