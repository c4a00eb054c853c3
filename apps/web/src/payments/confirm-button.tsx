import { Button, Group, Text, type MantineColor } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** The first button's text, e.g. "Remove". */
  label: string;
  /** Its accessible name when the text alone is ambiguous in a list, e.g. "Remove Ana's account". */
  accessibleLabel?: string;
  /** The question asked next, e.g. "Remove Ana's account?". */
  question: string;
  /** The button that does it, e.g. "Yes, remove". */
  confirmLabel: string;
  /** The button that does nothing, e.g. "Keep". */
  keepLabel: string;
  onConfirm: () => void;
  busy: boolean;
  color?: MantineColor;
}

/**
 * A button for something that cannot be undone: a first press asks the
 * question, a second does it. Focus follows the question and comes back to
 * the first button when the answer is no.
 */
export function ConfirmButton({ label, accessibleLabel, question, confirmLabel, keepLabel, onConfirm, busy, color = 'red' }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const kept = useRef(false);
  const first = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (kept.current) first.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <Button ref={first} variant="light" color={color} size="xs" onClick={() => setAsking(true)} aria-label={accessibleLabel}>
        {label}
      </Button>
    );
  }
  return (
    <Group gap="xs">
      <Text size="sm">{question}</Text>
      <Button ref={confirm} color={color} size="xs" onClick={onConfirm} loading={busy}>
        {confirmLabel}
      </Button>
      <Button
        variant="default"
        size="xs"
        disabled={busy}
        onClick={() => {
          kept.current = true;
          setAsking(false);
        }}
      >
        {keepLabel}
      </Button>
    </Group>
  );
}

/** "Remove" a saved payee, biller or card, asked twice. */
export function RemoveButton({ name, onRemove, removing }: { name: string; onRemove: () => void; removing: boolean }) {
  return <ConfirmButton label="Remove" accessibleLabel={`Remove ${name}`} question={`Remove ${name}?`} confirmLabel="Yes, remove" keepLabel="Keep" onConfirm={onRemove} busy={removing} />;
}
