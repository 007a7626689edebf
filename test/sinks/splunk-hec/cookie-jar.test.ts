import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCookieJar, MAX_COOKIES } from '../../../src/sinks/splunk-hec/cookie-jar.js';

const T0 = 1_748_000_000_000;

void describe('HEC cookie jar', () => {
  void it('sends back what Set-Cookie gave, attributes left out, one value per name', () => {
    const jar = createCookieJar();
    assert.equal(jar.header(T0), undefined);
    jar.store(['AWSALB=abc123/xyz==; Path=/; HttpOnly; Secure', 'lb=node-a; SameSite=None'], T0);
    assert.equal(jar.header(T0), 'AWSALB=abc123/xyz==; lb=node-a');
    jar.store('lb=node-b; Path=/services/collector', T0);
    assert.equal(jar.header(T0), 'AWSALB=abc123/xyz==; lb=node-b');
    assert.deepEqual(jar.values(), ['abc123/xyz==', 'node-b']);
  });

  void it('honours Max-Age (which wins over Expires) and Expires', () => {
    const jar = createCookieJar();
    const inAMinute = new Date(T0 + 60_000).toUTCString();
    jar.store(
      [`short=1111; Max-Age=10; Expires=${inAMinute}`, `dated=2222; Expires=${inAMinute}`, 'session=3333'],
      T0,
    );
    assert.equal(jar.header(T0 + 9_999), 'short=1111; dated=2222; session=3333');
    assert.equal(jar.header(T0 + 10_000), 'dated=2222; session=3333');
    assert.equal(jar.header(T0 + 60_000), 'session=3333');
    assert.deepEqual(jar.values(), ['3333']);
  });

  void it('Max-Age=0 or a past Expires removes the cookie', () => {
    const jar = createCookieJar();
    jar.store(['a=1111', 'b=2222'], T0);
    jar.store(['a=gone; Max-Age=0', `b=gone; Expires=${new Date(T0 - 1000).toUTCString()}`], T0);
    assert.equal(jar.header(T0), undefined);
  });

  void it('ignores what it cannot use, and holds a bounded number of cookies', () => {
    const jar = createCookieJar();
    jar.store(['no-equals-sign', '=nameless', 'bad name=1', 'big=' + 'x'.repeat(5000), 'ok=1'], T0);
    assert.equal(jar.header(T0), 'ok=1');
    jar.store(
      Array.from({ length: 40 }, (_, i) => `c${i}=v`),
      T0,
    );
    assert.equal(jar.header(T0)?.split('; ').length, MAX_COOKIES);
  });

  void it('takes the cookies of a Cookie header', () => {
    const jar = createCookieJar();
    jar.storeCookieHeader('lb=node-a; AWSALB=abc==');
    jar.store('lb=node-b', T0);
    assert.equal(jar.header(T0), 'lb=node-b; AWSALB=abc==');
  });
});
