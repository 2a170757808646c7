// The organization the console shows (`/organization`): its details (edited by owners and
// admins), its members (roles changed and members removed by those allowed; leaving for oneself),
// its pending invitations (invite, resend, cancel), its recent events (owners and admins), and
// deleting it (owners, once it has no projects). Every rule is the API's; the page only hides
// what the caller's role cannot do, and shows the API's refusal when it comes anyway.

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, type Problem, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { useOrganizations, type Organization } from '../app/organizations';
import { Dialog } from '../components/Dialog';
import { Button, FormAlert, SelectField, Spinner, TextField } from '../components/ui';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/I18n';
import { formatDate, hasMessage, type Lang, type Translate } from '../i18n/translate';
import { countryName, formatPhone } from '../lib/countries';
import { call, useFormErrors } from '../lib/forms';
import { withNotice } from '../lib/notice';
import { roleMessages } from '../lib/organizationInvitation';
import { assignableRoles, deletesOrganization, managesMembers, managesProjects, mayAssign, readsMembers, type Role } from '../lib/organizations';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { OrganizationForm, type OrganizationBody } from './CreateOrganization';
import { paths } from '../app/paths';

type Member = Schemas['Member'];
type Invitation = Schemas['OrganizationInvitation'];
type OrgEvent = Schemas['OrganizationEventInfo'];

/** A message at the top of a section, kept as a function of the language (switching re-translates it). */
type Note = { tone: 'success' | 'error'; text: (t: Translate, lang: Lang) => string };

function roleName(t: Translate, role: string | null | undefined): string {
  if (!role) return '';
  const messages = roleMessages(role);
  return messages ? t(messages.label) : role;
}

function NoteLine({ note, testId }: { note: Note | null; testId?: string }) {
  const { t, lang } = useI18n();
  return (
    <div role="status" aria-live="polite">
      {note && (
        <div className={`alert alert--${note.tone} panel-note`} data-testid={testId}>
          {note.text(t, lang)}
        </div>
      )}
    </div>
  );
}

export function OrganizationPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.organization'));
  const { organizations, current, failed } = useOrganizations();
  if (!organizations || !current) {
    if (failed) {
      return (
        <section className="panel">
          <div className="empty">
            <p role="alert">{t('problem.network')}</p>
            <Button variant="secondary" onClick={() => window.location.reload()}>
              {t('common.retry')}
            </Button>
          </div>
        </section>
      );
    }
    if (organizations) {
      return (
        <>
          <div className="page-head">
            <h1>{t('organization.title')}</h1>
          </div>
          <p className="empty">{t('orgs.none')}</p>
        </>
      );
    }
    return <Spinner label={t('app.loading')} />;
  }
  // Another organization starts afresh.
  return <OrganizationView key={current.id} organization={current} />;
}

function OrganizationView({ organization }: { organization: Organization }) {
  const { t } = useI18n();
  const { me, continueJourney } = useAuth();
  const { reload, select } = useOrganizations();
  const navigate = useNavigate();
  const role = organization.role;
  const [members, setMembers] = useState<Member[] | null>(null);
  // Everyone seen in the member list while on this page: the events still name someone just removed.
  const [knownNames, setKnownNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [membersFailed, setMembersFailed] = useState(false);
  // Bumped after a change, so that the events show it.
  const [eventsVersion, setEventsVersion] = useState(0);
  const [leaving, setLeaving] = useState(false);
  const bump = useCallback(() => setEventsVersion((v) => v + 1), []);

  /** The organization is gone, or the caller is no longer in it: the console shows another. */
  const lost = useCallback(async () => {
    await reload();
  }, [reload]);

  const loadMembers = useCallback(async () => {
    try {
      const { data, response } = await api.GET('/v1/organizations/{id}/members', { params: { path: { id: organization.id } }, cache: 'no-store' });
      if (response.status === 404) {
        await lost();
        return;
      }
      if (data) {
        setMembers(data.items);
        setKnownNames((before) => new Map([...before, ...data.items.map((m): [string, string] => [m.account_id, m.full_name])]));
        setMembersFailed(false);
      } else setMembersFailed(true);
    } catch {
      setMembersFailed(true);
    }
  }, [organization.id, lost]);

  useEffect(() => {
    if (readsMembers(role)) void loadMembers();
  }, [role, loadMembers]);

  /**
   * After leaving or deleting: the list of organizations again, and the projects of another one
   * with a notice; with none left, the journey goes on (create an organization).
   */
  const goneFromHere = useCallback(
    async (key: MessageKey) => {
      const list = await reload();
      const next = list?.find((o) => o.id !== organization.id);
      if (next) {
        select(next.id);
        navigate(paths.projects, { state: withNotice(key, { organization: organization.name }) });
      } else {
        await continueJourney();
      }
    },
    [reload, select, navigate, continueJourney, organization.id, organization.name],
  );

  return (
    <>
      <div className="page-head">
        <div>
          <h1 data-testid="organization-name">{organization.name}</h1>
          <p>{t('organization.yourRole', { role: roleName(t, role) })}</p>
        </div>
      </div>
      <Details organization={organization} onChanged={bump} />
      {readsMembers(role) ? (
        <Members
          organization={organization}
          members={members}
          failed={membersFailed}
          myId={me?.id ?? ''}
          reloadMembers={loadMembers}
          onChanged={bump}
          onLeave={() => setLeaving(true)}
        />
      ) : (
        <section className="panel" aria-labelledby="org-members">
          <div className="panel__head panel__head--wrap">
            <div>
              <h2 id="org-members">{t('organization.members')}</h2>
              <p>{t('organization.members.hidden')}</p>
            </div>
            <Button variant="secondary" onClick={() => setLeaving(true)} data-testid="organization-leave">
              {t('organization.leave')}
            </Button>
          </div>
        </section>
      )}
      {managesMembers(role) && <Invitations organization={organization} onChanged={bump} />}
      {managesMembers(role) && <Events organization={organization} names={knownNames} version={eventsVersion} />}
      {deletesOrganization(role) && <DeleteOrganization organization={organization} onDeleted={() => goneFromHere('organization.deleted')} />}
      <LeaveDialog
        open={leaving}
        organization={organization}
        myId={me?.id ?? ''}
        onClose={() => setLeaving(false)}
        onLeft={() => goneFromHere('organization.left')}
      />
    </>
  );
}

// ---------- Details ----------

function Details({ organization, onChanged }: { organization: Organization; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { replace } = useOrganizations();
  const [editing, setEditing] = useState(false);
  const [note, setNote] = useState<Note | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const formId = useId();

  const close = (saved: boolean) => {
    setEditing(false);
    setNote(saved ? { tone: 'success', text: (tr) => tr('organization.saved') } : null);
    setTimeout(() => editButton.current?.focus(), 0);
  };

  const submit = async (body: Partial<OrganizationBody>) => {
    if (Object.keys(body).length === 0) {
      close(false);
      return {};
    }
    const result = await call(
      api.PATCH('/v1/organizations/{id}', { params: { path: { id: organization.id } }, body: body as Schemas['UpdateOrganizationBody'] }),
    );
    if (result.data) {
      replace(result.data);
      onChanged();
      close(true);
    }
    return result;
  };

  return (
    <section className="panel" aria-labelledby="org-details">
      <div className="panel__head panel__head--wrap">
        <div>
          <h2 id="org-details">{t('organization.details')}</h2>
        </div>
        {managesProjects(organization.role) && !editing && (
          <Button
            ref={editButton}
            variant="secondary"
            onClick={() => {
              setNote(null);
              setEditing(true);
            }}
            aria-expanded={editing}
            data-testid="organization-edit"
          >
            {t('organization.edit')}
          </Button>
        )}
      </div>
      <NoteLine note={note} testId="organization-message" />
      <div className="panel__body" id={formId}>
        {editing ? (
          <OrganizationForm organization={organization} submit={submit} submitLabel={t('organization.save')} onCancel={() => close(false)} />
        ) : (
          <dl className="dl" data-testid="organization-details">
            <dt>{t('org.name')}</dt>
            <dd>{organization.name}</dd>
            <dt>{t('org.address')}</dt>
            <dd className="pre-line">{organization.address}</dd>
            <dt>{t('org.city')}</dt>
            <dd>{organization.city}</dd>
            <dt>{t('org.region')}</dt>
            <dd>{organization.region}</dd>
            <dt>{t('org.zip')}</dt>
            <dd>{organization.zip}</dd>
            <dt>{t('org.country')}</dt>
            <dd>{countryName(organization.country, lang)}</dd>
            <dt>{t('org.phone')}</dt>
            <dd>{formatPhone(organization.business_phone)}</dd>
            <dt>{t('org.description')}</dt>
            <dd className="pre-line">{organization.description}</dd>
            <dt>{t('organization.sales')}</dt>
            <dd>{organization.sales_representative?.name ?? t('org.salesNone')}</dd>
            <dt>{t('organization.created')}</dt>
            <dd>{formatDate(lang, organization.created_at)}</dd>
          </dl>
        )}
      </div>
    </section>
  );
}

// ---------- Members ----------

type MemberAction = { kind: 'role' | 'remove'; member: Member };

function Members({
  organization,
  members,
  failed,
  myId,
  reloadMembers,
  onChanged,
  onLeave,
}: {
  organization: Organization;
  members: Member[] | null;
  failed: boolean;
  myId: string;
  reloadMembers: () => Promise<void>;
  onChanged: () => void;
  onLeave: () => void;
}) {
  const { t, lang } = useI18n();
  const mine = organization.role;
  const [action, setAction] = useState<MemberAction | null>(null);
  const [newRole, setNewRole] = useState<string>('member');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Partial<Problem> | null>(null);
  const [note, setNote] = useState<Note | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const roleSelectRef = useRef<HTMLSelectElement>(null);

  const open = (kind: MemberAction['kind'], member: Member) => {
    setError(null);
    setNote(null);
    setNewRole(member.role);
    setAction({ kind, member });
  };

  const confirm = async () => {
    if (!action) return;
    const { kind, member } = action;
    setBusy(true);
    setError(null);
    const path = { id: organization.id, account_id: member.account_id };
    const result =
      kind === 'role'
        ? await call(api.PATCH('/v1/organizations/{id}/members/{account_id}', { params: { path }, body: { role: newRole as Role } }))
        : await call(api.DELETE('/v1/organizations/{id}/members/{account_id}', { params: { path } }));
    setBusy(false);
    if (result.network || !result.response?.ok) {
      setError(result.network ? { code: 'network' } : ((result.error as Partial<Problem> | undefined) ?? {}));
      return;
    }
    setAction(null);
    const name = member.full_name;
    const role = newRole;
    setNote(
      kind === 'role'
        ? { tone: 'success', text: (tr) => tr('organization.members.roleChanged', { name, role: roleName(tr, role) }) }
        : { tone: 'success', text: (tr) => tr('organization.members.removed', { name }) },
    );
    onChanged();
    await reloadMembers();
    headingRef.current?.focus();
  };

  return (
    <section className="panel" aria-labelledby="org-members">
      <div className="panel__head">
        <div>
          <h2 id="org-members" ref={headingRef} tabIndex={-1}>
            {t('organization.members')}
          </h2>
          <p>{t('organization.members.intro')}</p>
        </div>
      </div>
      <NoteLine note={note} testId="members-message" />
      {members === null ? (
        failed ? (
          <div className="empty">
            <p role="alert">{t('problem.network')}</p>
            <Button variant="secondary" onClick={() => void reloadMembers()}>
              {t('common.retry')}
            </Button>
          </div>
        ) : (
          <Spinner label={t('app.loading')} />
        )
      ) : (
        <ul className="list member-list" data-testid="members">
          {members.map((m) => {
            const self = m.account_id === myId;
            const actsOn = !self && mayAssign(mine, m.role);
            return (
              <li key={m.account_id} className="list__item" data-testid="member" data-email={m.email} data-role={m.role}>
                <div className="list__main">
                  <div className="table__primary">
                    {m.full_name}
                    {self && (
                      <>
                        {' '}
                        <span className="badge badge--neutral">{t('organization.members.you')}</span>
                      </>
                    )}
                  </div>
                  <div className="table__secondary">
                    {m.email} · {t('organization.members.joined', { date: formatDate(lang, m.joined_at) })}
                  </div>
                </div>
                <div className="member-list__side">
                  <span className="member-list__role" data-testid="member-role">
                    {roleName(t, m.role)}
                  </span>
                  {self && (
                    <Button variant="secondary" onClick={onLeave} data-testid="organization-leave">
                      {t('organization.leave')}
                    </Button>
                  )}
                  {actsOn && (
                    <>
                      <Button
                        variant="secondary"
                        onClick={() => open('role', m)}
                        aria-label={t('organization.members.changeRoleOf', { name: m.full_name })}
                        data-testid="member-change-role"
                      >
                        {t('organization.members.changeRole')}
                      </Button>
                      <Button
                        variant="danger"
                        onClick={() => open('remove', m)}
                        aria-label={t('organization.members.removeName', { name: m.full_name })}
                        data-testid="member-remove"
                      >
                        {t('organization.members.remove')}
                      </Button>
                    </>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <Dialog
        open={!!action}
        small
        title={
          action?.kind === 'role'
            ? t('organization.members.role.title', { name: action.member.full_name })
            : t('organization.members.remove.title', { name: action?.member.full_name ?? '', organization: organization.name })
        }
        onClose={() => !busy && setAction(null)}
        initialFocus={action?.kind === 'role' ? roleSelectRef : cancelRef}
        testId={action?.kind === 'role' ? 'member-role-dialog' : 'member-remove-dialog'}
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setAction(null)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button
              variant={action?.kind === 'remove' ? 'danger' : 'primary'}
              onClick={() => void confirm()}
              busy={busy}
              disabled={action?.kind === 'role' && newRole === action.member.role}
              data-testid="member-confirm"
            >
              {action?.kind === 'role' ? t('organization.members.changeRole') : t('organization.members.remove')}
            </Button>
          </div>
        }
      >
        {action?.kind === 'role' && (
          <>
            <p>{t('organization.members.role.body', { name: action.member.full_name, role: roleName(t, action.member.role) })}</p>
            <SelectField ref={roleSelectRef} label={t('organization.role')} value={newRole} onValue={setNewRole} required data-testid="member-role-select">
              {assignableRoles(mine).map((r) => (
                <option key={r} value={r}>
                  {roleName(t, r)}
                </option>
              ))}
            </SelectField>
            <RoleDescription role={newRole} />
          </>
        )}
        {action?.kind === 'remove' && <p>{t('organization.members.remove.body', { name: action.member.full_name, organization: organization.name })}</p>}
        {error && (
          <p className="alert alert--error" role="alert" data-testid="member-error">
            {problemMessage(t, error)}
          </p>
        )}
      </Dialog>
    </section>
  );
}

function RoleDescription({ role }: { role: string }) {
  const { t } = useI18n();
  const messages = roleMessages(role);
  if (!messages) return null;
  return <p className="muted small">{t(messages.description)}</p>;
}

function LeaveDialog({
  open,
  organization,
  myId,
  onClose,
  onLeft,
}: {
  open: boolean;
  organization: Organization;
  myId: string;
  onClose: () => void;
  onLeft: () => Promise<void>;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Partial<Problem> | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (open) setError(null);
  }, [open]);

  const leave = async () => {
    setBusy(true);
    setError(null);
    const result = await call(api.DELETE('/v1/organizations/{id}/members/{account_id}', { params: { path: { id: organization.id, account_id: myId } } }));
    if (result.response?.ok) {
      await onLeft();
      return;
    }
    setBusy(false);
    setError(result.network ? { code: 'network' } : ((result.error as Partial<Problem> | undefined) ?? {}));
  };

  return (
    <Dialog
      open={open}
      small
      title={t('organization.leave.title', { organization: organization.name })}
      onClose={() => !busy && onClose()}
      initialFocus={cancelRef}
      testId="organization-leave-dialog"
      footer={
        <div className="actions actions--end">
          <Button ref={cancelRef} variant="secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </Button>
          <Button variant="danger" onClick={() => void leave()} busy={busy} data-testid="organization-leave-ok">
            {t('organization.leave')}
          </Button>
        </div>
      }
    >
      <p>{t('organization.leave.body', { organization: organization.name })}</p>
      {error && (
        <p className="alert alert--error" role="alert" data-testid="organization-leave-error">
          {problemMessage(t, error)}
        </p>
      )}
    </Dialog>
  );
}

// ---------- Invitations ----------

const INVITE_FIELDS = ['email', 'role'] as const;

function Invitations({ organization, onChanged }: { organization: Organization; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const roles = assignableRoles(organization.role);
  const [invitations, setInvitations] = useState<Invitation[] | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('member');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note | null>(null);
  const [rowBusy, setRowBusy] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<Invitation | null>(null);
  const [cancelError, setCancelError] = useState<Partial<Problem> | null>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const form = useFormErrors(INVITE_FIELDS);

  const load = useCallback(async () => {
    try {
      const { data } = await api.GET('/v1/organizations/{id}/invitations', { params: { path: { id: organization.id } }, cache: 'no-store' });
      setInvitations(data?.items ?? []);
    } catch {
      setInvitations((old) => old ?? []);
    }
  }, [organization.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setNote(null);
    if (!email.trim()) {
      form.failLocal({ email: 'fielderr.email_required' });
      return;
    }
    setBusy(true);
    const result = await call(
      api.POST('/v1/organizations/{id}/invitations', { params: { path: { id: organization.id } }, body: { email: email.trim(), role: role as Role } }),
    );
    setBusy(false);
    if (result.data) {
      const sent = result.data;
      form.clear();
      setEmail('');
      setNote({ tone: 'success', text: (tr) => tr('organization.invite.sent', { email: sent.email, role: roleName(tr, sent.role) }) });
      onChanged();
      await load();
      return;
    }
    if (result.network) form.failNetwork();
    else form.fail(result.error);
  };

  const resend = async (invitation: Invitation) => {
    setNote(null);
    setRowBusy(invitation.id);
    const result = await call(
      api.POST('/v1/organizations/{id}/invitations/{invitation_id}/resend', { params: { path: { id: organization.id, invitation_id: invitation.id } } }),
    );
    setRowBusy(null);
    if (result.data) {
      const to = result.data.email;
      setNote({ tone: 'success', text: (tr) => tr('organization.invite.resent', { email: to }) });
      onChanged();
      await load();
      return;
    }
    const problem: Partial<Problem> = result.network ? { code: 'network' } : ((result.error as Partial<Problem> | undefined) ?? {});
    setNote({ tone: 'error', text: (tr) => problemMessage(tr, problem) });
    await load();
  };

  const cancel = async () => {
    const invitation = cancelling;
    if (!invitation) return;
    setRowBusy(invitation.id);
    setCancelError(null);
    const result = await call(
      api.DELETE('/v1/organizations/{id}/invitations/{invitation_id}', { params: { path: { id: organization.id, invitation_id: invitation.id } } }),
    );
    setRowBusy(null);
    if (result.response?.ok || result.response?.status === 404) {
      setCancelling(null);
      const to = invitation.email;
      setNote({ tone: 'success', text: (tr) => tr('organization.invite.cancelled', { email: to }) });
      onChanged();
      await load();
      headingRef.current?.focus();
      return;
    }
    setCancelError(result.network ? { code: 'network' } : ((result.error as Partial<Problem> | undefined) ?? {}));
  };

  return (
    <section className="panel" aria-labelledby="org-invitations">
      <div className="panel__head">
        <div>
          <h2 id="org-invitations" ref={headingRef} tabIndex={-1}>
            {t('organization.invitations')}
          </h2>
          <p>{t('organization.invitations.intro')}</p>
        </div>
      </div>
      <NoteLine note={note} testId="invitations-message" />
      <div className="panel__body">
        <form className="form invite-form" noValidate onSubmit={invite} data-testid="invite-form">
          <FormAlert message={form.errors.form} seq={form.seq} />
          <div className="invite-form__row">
            <TextField
              label={t('field.email')}
              type="email"
              value={email}
              onValue={(v) => {
                setEmail(v);
                form.clearField('email');
              }}
              errors={form.field('email')}
              autoComplete="off"
              inputMode="email"
              spellCheck={false}
              required
              maxLength={254}
              name="invite_email"
              data-testid="invite-email"
            />
            <SelectField
              label={t('organization.role')}
              value={role}
              onValue={(v) => {
                setRole(v);
                form.clearField('role');
              }}
              errors={form.field('role')}
              required
              data-testid="invite-role"
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleName(t, r)}
                </option>
              ))}
            </SelectField>
          </div>
          <RoleDescription role={role} />
          <div className="actions">
            <Button type="submit" busy={busy} data-testid="invite-submit">
              {t('organization.invite.submit')}
            </Button>
          </div>
        </form>
      </div>
      {invitations === null ? (
        <Spinner label={t('app.loading')} />
      ) : invitations.length === 0 ? (
        <p className="empty panel__body--rule">{t('organization.invitations.empty')}</p>
      ) : (
        <ul className="list member-list panel__body--rule" data-testid="invitations">
          {invitations.map((inv) => (
            <li key={inv.id} className="list__item" data-testid="invitation" data-email={inv.email} data-expired={inv.expired}>
              <div className="list__main">
                <div className="table__primary">
                  {inv.email}{' '}
                  {inv.expired && <span className="badge badge--failed">{t('organization.invitations.expired')}</span>}
                </div>
                <div className="table__secondary">
                  {[
                    inv.invited_by
                      ? t('organization.invitations.by', { name: inv.invited_by, date: formatDate(lang, inv.sent_at, true) })
                      : t('organization.invitations.sent', { date: formatDate(lang, inv.sent_at, true) }),
                    inv.expired ? '' : t('organization.invitations.expires', { date: formatDate(lang, inv.expires_at, true) }),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </div>
              </div>
              <div className="member-list__side">
                <span className="member-list__role">{roleName(t, inv.role)}</span>
                <Button
                  variant="secondary"
                  busy={rowBusy === inv.id && !cancelling}
                  disabled={rowBusy !== null}
                  onClick={() => void resend(inv)}
                  aria-label={t('organization.invitations.resendTo', { email: inv.email })}
                  data-testid="invitation-resend"
                >
                  {t('organization.invitations.resend')}
                </Button>
                <Button
                  variant="danger"
                  disabled={rowBusy !== null}
                  onClick={() => {
                    setCancelError(null);
                    setCancelling(inv);
                  }}
                  aria-label={t('organization.invitations.cancelTo', { email: inv.email })}
                  data-testid="invitation-cancel"
                >
                  {t('organization.invitations.cancel')}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <Dialog
        open={!!cancelling}
        small
        title={t('organization.invitations.cancel.title', { email: cancelling?.email ?? '' })}
        onClose={() => rowBusy === null && setCancelling(null)}
        initialFocus={keepRef}
        testId="invitation-cancel-dialog"
        footer={
          <div className="actions actions--end">
            <Button ref={keepRef} variant="secondary" onClick={() => setCancelling(null)} disabled={rowBusy !== null}>
              {t('organization.invitations.keep')}
            </Button>
            <Button variant="danger" onClick={() => void cancel()} busy={rowBusy !== null} data-testid="invitation-cancel-ok">
              {t('organization.invitations.cancel')}
            </Button>
          </div>
        }
      >
        <p>{t('organization.invitations.cancel.body', { email: cancelling?.email ?? '' })}</p>
        {cancelError && (
          <p className="alert alert--error" role="alert">
            {problemMessage(t, cancelError)}
          </p>
        )}
      </Dialog>
    </section>
  );
}

// ---------- Events ----------

/** The labels of the fields an event names (organization and project fields). */
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'org.name',
  address: 'org.address',
  country: 'org.country',
  description: 'org.description',
  business_phone: 'org.phone',
  city: 'org.city',
  region: 'org.region',
  zip: 'org.zip',
  sales_representative_id: 'organization.sales',
  vat_id: 'project.vatId',
  vat_name: 'project.vatName',
  vat_address: 'project.vatAddress',
};

const PROJECT_FIELD_LABELS: Record<string, MessageKey> = { ...FIELD_LABELS, name: 'project.name', description: 'project.description' };

interface EventDetails {
  project_id?: string;
  project_name?: string;
  fields?: string[];
}

/** What happened, as a sentence: "Invited rina@… as Member", "Made Budi Administrator". */
export function eventText(t: Translate, event: OrgEvent, nameOf: (accountId: string | null | undefined) => string): string {
  const details = (event.details ?? {}) as EventDetails;
  const labels = event.kind.startsWith('project_') ? PROJECT_FIELD_LABELS : FIELD_LABELS;
  const fields = (Array.isArray(details.fields) ? details.fields : [])
    .map((f) => (Object.hasOwn(labels, f) ? t(labels[f]!) : f))
    .join(', ');
  const key = `orgEvent.${event.kind}`;
  if (!hasMessage(key)) return event.kind.replace(/_/g, ' ');
  return t(key, {
    email: event.email ?? '',
    role: roleName(t, event.role),
    member: nameOf(event.account_id),
    project: details.project_name ?? '',
    fields: fields || '—',
  });
}

function Events({ organization, names, version }: { organization: Organization; names: ReadonlyMap<string, string>; version: number }) {
  const { t, lang } = useI18n();
  const [events, setEvents] = useState<OrgEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (before?: string) => {
      setBusy(true);
      try {
        const { data } = await api.GET('/v1/organizations/{id}/events', {
          params: { path: { id: organization.id }, query: { limit: 10, ...(before ? { before } : {}) } },
          cache: 'no-store',
        });
        setEvents((old) => [...(before ? (old ?? []) : []), ...(data?.items ?? [])]);
        setCursor(data?.next_cursor ?? null);
      } catch {
        setEvents((old) => old ?? []);
      }
      setBusy(false);
    },
    [organization.id],
  );

  useEffect(() => {
    void load();
  }, [load, version]);

  const nameOf = (accountId: string | null | undefined) => (accountId ? (names.get(accountId) ?? t('organization.events.formerMember')) : '—');

  return (
    <section className="panel" aria-labelledby="org-events">
      <div className="panel__head">
        <div>
          <h2 id="org-events">{t('organization.events')}</h2>
          <p>{t('organization.events.intro')}</p>
        </div>
      </div>
      {events === null ? (
        <Spinner label={t('app.loading')} />
      ) : events.length === 0 ? (
        <p className="empty">{t('organization.events.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--stack table--wrap" data-testid="organization-events">
            <thead>
              <tr>
                <th scope="col">{t('account.events.col.event')}</th>
                <th scope="col">{t('organization.events.by')}</th>
                <th scope="col">{t('account.events.col.when')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="organization-event" data-kind={e.kind}>
                  <td className="table__primary">{eventText(t, e, nameOf)}</td>
                  <td data-col="secondary">{[e.actor_id ? nameOf(e.actor_id) : '', e.ip ?? ''].filter(Boolean).join(' · ')}</td>
                  <td data-col="secondary">{formatDate(lang, e.occurred_at, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <div className="panel__body panel__body--rule">
          <Button variant="secondary" busy={busy} onClick={() => void load(cursor)}>
            {t('account.events.more')}
          </Button>
        </div>
      )}
    </section>
  );
}

// ---------- Delete ----------

function DeleteOrganization({ organization, onDeleted }: { organization: Organization; onDeleted: () => Promise<void> }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Partial<Problem> | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const remove = async () => {
    setBusy(true);
    setError(null);
    const result = await call(api.DELETE('/v1/organizations/{id}', { params: { path: { id: organization.id } } }));
    if (result.response?.ok) {
      await onDeleted();
      return;
    }
    setBusy(false);
    setError(result.network ? { code: 'network' } : ((result.error as Partial<Problem> | undefined) ?? {}));
  };

  return (
    <section className="panel panel--danger" aria-labelledby="org-delete">
      <div className="panel__head panel__head--wrap">
        <div>
          <h2 id="org-delete">{t('organization.delete')}</h2>
          <p>{t('organization.delete.intro')}</p>
        </div>
        <Button
          variant="danger"
          onClick={() => {
            setError(null);
            setOpen(true);
          }}
          data-testid="organization-delete"
        >
          {t('organization.delete')}
        </Button>
      </div>
      <Dialog
        open={open}
        small
        title={t('organization.delete.title', { organization: organization.name })}
        onClose={() => !busy && setOpen(false)}
        initialFocus={cancelRef}
        testId="organization-delete-dialog"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void remove()} busy={busy} data-testid="organization-delete-ok">
              {t('organization.delete.ok', { organization: organization.name })}
            </Button>
          </div>
        }
      >
        <p>{t('organization.delete.body', { organization: organization.name })}</p>
        {error && (
          <p className="alert alert--error" role="alert" data-testid="organization-delete-error">
            {problemMessage(t, error)}
          </p>
        )}
      </Dialog>
    </section>
  );
}
