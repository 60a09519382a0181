import type { ReactNode } from 'react';

/** One fact of a `<dl className="facts">`: its label and its value (monospace for ids and hashes). */
export function Fact({ label, children, mono = false }: { readonly label: string; readonly children: ReactNode; readonly mono?: boolean }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={mono ? 'mono break' : undefined}>{children}</dd>
    </div>
  );
}
