import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/**
 * JSON logs. Request bodies and headers are never logged; the redact list is a second line of
 * defence for anything that might still carry personal data or secrets.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          '*.name',
          '*.idNumber',
          '*.studentNumber',
          '*.birthDate',
          '*.guardian',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
