import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Log ids, codes and counts — never personal data, never
 * event data or SQL parameters. The redaction list is a second line of defence
 * for fields that must not appear even by mistake.
 */
export function createLogger(options: { level: string; name?: string; mixin?: () => object }, destination?: DestinationStream): Logger {
  return pino(
    {
      name: options.name ?? 'attest',
      level: options.level,
      base: { service: options.name ?? 'attest' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['data', '*.data', 'password', '*.password', 'authorization', '*.authorization', 'email', '*.email', 'phone', '*.phone'],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
      ...(options.mixin ? { mixin: options.mixin } : {}),
    },
    destination,
  );
}
