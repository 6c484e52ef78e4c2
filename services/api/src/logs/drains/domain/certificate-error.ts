import { newLogLine, type LogLine } from '@paas/contracts';

/** Codes Node's TLS gives a certificate it will not trust (expired, self-signed, wrong name, unknown issuer). */
const CERT_CODES = /^(CERT_|ERR_TLS_CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE))/;

/** Whether a delivery failed because the drain's certificate could not be verified. */
export function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CERT_CODES.test(code);
}

/**
 * The line the app's own log gets when one of its drains presents a certificate we do not trust
 * (Heroku's L14), so the user sees why the drain stays empty. `where` is the drain without secrets.
 */
export function certificateErrorLine(token: string, where: string, reason: string, now: number): LogLine {
  return newLogLine('heroku', 'logplex',
    `Error L14 (certificate validation error): drain ${token} (${where}): ${reason}. Lines are kept for it and tried again; give the drain a certificate from a trusted CA.`, now);
}
