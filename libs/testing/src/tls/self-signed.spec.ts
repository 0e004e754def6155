import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificates, loopbackCertificates } from './self-signed.js';

describe('certificates', () => {
  it('loopback certificates cover 127.0.0.1, ::1 and localhost, signed by their CA', () => {
    const { caPem, certPem } = loopbackCertificates();
    const cert = new X509Certificate(certPem);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(loopbackCertificates()).toBe(loopbackCertificates());
  });

  it('makes expired and misnamed certificates on request', () => {
    const expired = new X509Certificate(
      createCertificates({ notAfter: new Date(Date.now() - 86_400_000) }).certPem,
    );
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    const elsewhere = new X509Certificate(
      createCertificates({ dnsNames: ['elsewhere.example'], ips: [] }).certPem,
    );
    expect(elsewhere.checkIP('127.0.0.1')).toBeUndefined();
    expect(elsewhere.checkHost('elsewhere.example')).toBe('elsewhere.example');
    expect(() => createCertificates({ ips: ['not-an-ip'] })).toThrow(TypeError);
  });
});
