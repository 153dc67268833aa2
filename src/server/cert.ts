// Self-signed server certificate like nexusd's (WIRE-TLS-2): subject CN "Nexus BBS Server", no
// subject-alt-names, fingerprint = SHA-256 of the DER certificate, upper-case colon form.
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface ServerCertificate {
  /** PEM private key. */
  key: string;
  /** PEM certificate. */
  cert: string;
  /** `AB:CD:…` (32 pairs), as X509Certificate.fingerprint256 and nexusd print it. */
  fingerprint: string;
}

export const SERVER_CERT_CN = 'Nexus BBS Server';

/** SHA-256 fingerprint of a PEM certificate in upper-case colon form. */
export function certFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

export async function createSelfSignedCert(): Promise<ServerCertificate> {
  const notBefore = new Date(Date.now() - 60_000); // tolerate small clock skew
  const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: SERVER_CERT_CN }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    // Explicit list so selfsigned adds no default DNS SAN (WIRE-TLS-2: none).
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
    ],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: certFingerprint(pems.cert) };
}
