import { PASSWORD_MIN_LENGTH } from '@drydock/contract';
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

/** A password being chosen: hidden, as long as the API requires, offered to password managers. */
export function NewPasswordField(props: {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
}) {
  return (
    <TextField
      {...props}
      type="password"
      minLength={PASSWORD_MIN_LENGTH}
      autoComplete="new-password"
    />
  );
}
