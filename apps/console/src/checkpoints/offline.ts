// The pure parts of "verify a bundle anywhere": the terminal command that makes the same checks.
import { shellWord } from './checkpoints';

/** `attest verify --bundle` with the files the visitor chose (placeholders until then). */
export function bundleCommand(bundleFile: string | undefined, verifierKey: string, keptFiles: readonly string[]): string {
  const key = verifierKey.trim() === '' ? `'<verifier key>'` : `'${verifierKey.trim().replaceAll("'", `'\\''`)}'`;
  const kept = keptFiles.map((f) => ` --checkpoint ${shellWord(f)}`).join('');
  return `npx attest verify --bundle ${bundleFile === undefined ? '<file>' : shellWord(bundleFile)} --key ${key}${kept}`;
}
