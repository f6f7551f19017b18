import { type InputHTMLAttributes, type ReactNode, useId } from 'react';

/** A labelled text input (the label points at it), for every form of the console. */
export function TextField({
  label,
  value,
  onChange,
  ...input
}: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'>) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} {...input} />
    </>
  );
}
