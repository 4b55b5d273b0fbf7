import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A self-signed certificate for 127.0.0.1 and localhost, valid a day, made with the installed openssl in
 * `dir`: the paths of its key and certificate (PEM), for a test server that speaks TLS.
 */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'server-key.pem');
  const cert = join(dir, 'server.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}
