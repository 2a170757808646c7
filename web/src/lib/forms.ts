import { useCallback, useMemo, useState } from 'react';
import { NO_ERRORS, networkError, toFormErrors, type FormErrors } from '../api/problem';
import { useI18n } from '../i18n/I18n';
import type { Vars } from '../i18n/translate';
import type { MessageKey } from '../i18n/en';

type Failure =
  | { kind: 'problem'; problem: unknown }
  | { kind: 'network' }
  | { kind: 'local'; fields: Record<string, MessageKey>; form?: MessageKey };

/**
 * The errors of one form. The failure itself is kept (not its text), so that switching the
 * language re-translates the messages on screen. `seq` counts failed submits (for focus).
 */
export function useFormErrors(fields: readonly string[], options: { vars?: Vars; aliases?: Record<string, string> } = {}) {
  const { t } = useI18n();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const [seq, setSeq] = useState(0);
  const varsKey = JSON.stringify(options.vars ?? {});

  const errors: FormErrors = useMemo(() => {
    if (!failure) return NO_ERRORS;
    let result: FormErrors;
    if (failure.kind === 'network') result = networkError(t);
    else if (failure.kind === 'local') {
      const byField: Record<string, string[]> = {};
      for (const [name, key] of Object.entries(failure.fields)) byField[name] = [t(key, options.vars)];
      result = { form: failure.form ? t(failure.form) : t('common.formHasErrors'), fields: byField, code: 'local', retryAfter: null };
    } else result = toFormErrors(t, failure.problem, fields, options);
    if (cleared.size) {
      const kept: Record<string, string[]> = {};
      for (const [name, messages] of Object.entries(result.fields)) if (!cleared.has(name)) kept[name] = messages;
      // Every marked field was edited since: the "correct the fields below" line has no object left.
      const generic = result.form === t('common.formHasErrors');
      result = { ...result, fields: kept, form: generic && Object.keys(kept).length === 0 ? null : result.form };
    }
    return result;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [failure, cleared, t, varsKey, fields.join(',')]);

  const fail = useCallback((problem: unknown) => {
    setFailure({ kind: 'problem', problem });
    setCleared(new Set());
    setSeq((s) => s + 1);
  }, []);
  const failNetwork = useCallback(() => {
    setFailure({ kind: 'network' });
    setCleared(new Set());
    setSeq((s) => s + 1);
  }, []);
  const failLocal = useCallback((fieldKeys: Record<string, MessageKey>, form?: MessageKey) => {
    setFailure({ kind: 'local', fields: fieldKeys, form });
    setCleared(new Set());
    setSeq((s) => s + 1);
  }, []);
  const clear = useCallback(() => {
    setFailure(null);
    setCleared(new Set());
  }, []);
  /** Hides a field's message once the person edits that field. */
  const clearField = useCallback((name: string) => {
    setCleared((before) => (before.has(name) ? before : new Set([...before, name])));
  }, []);

  return {
    errors,
    seq,
    fail,
    failNetwork,
    failLocal,
    clear,
    clearField,
    field: (name: string) => errors.fields[name],
    codes: (name: string) => errors.fieldCodes?.[name] ?? [],
  };
}

export type ApiResult<D, E> = { data?: D; error?: E; response?: Response; network?: true };

/** Awaits an openapi-fetch call; a rejected fetch (offline) becomes `{ network: true }`. */
export async function call<D, E>(request: Promise<{ data?: D; error?: E; response: Response }>): Promise<ApiResult<D, E>> {
  try {
    return await request;
  } catch {
    return { network: true };
  }
}
