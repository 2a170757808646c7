// One project: `/projects/{id}`, reached from the list and from the "cluster ready" and "cluster
// failed" emails. Its cluster status with the history of every change (polled with If-None-Match
// while it is not settled), its details and VAT data; owners and admins edit and delete it. A
// deleted project is "Deleting…" until the provisioner removed its cluster, then the list is shown
// with a notice. A project of another organization than the one the console shows switches the
// console to it; an id the caller cannot see is "Page not found".

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type Problem, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useOrganizations } from '../app/organizations';
import { Dialog } from '../components/Dialog';
import { Button, FormAlert, Spinner, TextAreaField, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import { call, useFormErrors } from '../lib/forms';
import { withNotice } from '../lib/notice';
import { formatVatId, managesProjects, settled } from '../lib/organizations';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { StatusBadge, statusLabel } from './Projects';
import { paths } from '../app/paths';

type Project = Schemas['Project'];
type StatusChange = Schemas['ProjectStatusChange'];

const FAST_POLL_MS = 2000;
const SLOW_POLL_MS = 30000;

export function ProjectPage() {
  const { id = '' } = useParams();
  // Another project starts afresh.
  return <ProjectView key={id} id={id} />;
}

/** "Page not found" inside the console, as for any unknown address. */
export function ConsoleNotFound() {
  const { t } = useI18n();
  useDocumentTitle(t('app.notFound.title'));
  return (
    <section className="panel" data-testid="not-found">
      <div className="panel__body result stack">
        <h1>{t('app.notFound.title')}</h1>
        <p>{t('app.notFound.body')}</p>
        <Link to={paths.home} className="btn btn--primary">
          {t('app.notFound.home')}
        </Link>
      </div>
    </section>
  );
}

type LoadResult = 'changed' | 'same' | 'gone' | 'error';

function ProjectView({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { organizations, current, select, reload } = useOrganizations();
  const [project, setProject] = useState<Project | null>(null);
  const [missing, setMissing] = useState(false);
  const [failed, setFailed] = useState(false);
  const [history, setHistory] = useState<StatusChange[] | null>(null);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<Partial<Problem> | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const etag = useRef<string | null>(null);
  const projectRef = useRef<Project | null>(null);
  projectRef.current = project;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const cancelDeleteRef = useRef<HTMLButtonElement>(null);
  const reloadedFor = useRef<string | null>(null);
  const tRef = useRef(t);
  tRef.current = t;

  useDocumentTitle(project?.name ?? (missing ? t('app.notFound.title') : t('title.project')));

  const organization = project ? organizations?.find((o) => o.id === project.organization_id) : undefined;
  const role = organization?.role;
  // Billing sees no cluster status (the API leaves it out): no history either.
  const full = project ? project.cluster_status !== undefined && project.cluster_status !== null : false;
  const manages = managesProjects(role);
  const deleting = project?.cluster_status === 'deleting';

  const loadHistory = useCallback(async () => {
    try {
      const { data } = await api.GET('/v1/projects/{id}/history', { params: { path: { id } }, cache: 'no-store' });
      if (data) setHistory(data.items);
    } catch {
      // The status itself is shown; the history comes with the next change.
    }
  }, [id]);

  const load = useCallback(async (): Promise<LoadResult> => {
    const previous = etag.current;
    const { data, response } = await api.GET('/v1/projects/{id}', {
      params: { path: { id }, header: previous ? { 'If-None-Match': previous } : {} },
      cache: 'no-store',
    });
    if (response.status === 304) return 'same';
    if (response.status === 404) {
      const before = projectRef.current;
      if (before?.cluster_status === 'deleting') {
        // Gone, as asked: back to the list, which says so.
        navigate(paths.projects, { replace: true, state: withNotice('project.deleted', { project: before.name }) });
      } else {
        setMissing(true);
      }
      return 'gone';
    }
    if (!data) return 'error';
    etag.current = response.headers.get('ETag');
    const before = projectRef.current;
    if (before && before.cluster_status !== data.cluster_status && data.cluster_status) {
      const tr = tRef.current;
      setAnnouncement(tr('projects.statusChanged', { project: data.name, status: statusLabel(tr, data.cluster_status) }));
    }
    // Read by the poll right after this (before the next render).
    projectRef.current = data;
    setProject(data);
    return 'changed';
  }, [id, navigate]);

  // Load, then poll: fast while the cluster is changing, slowly otherwise. `pollSoon` brings the
  // next poll forward (after a deletion was asked for).
  const pollSoon = useRef<() => void>(() => {});
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const schedule = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void tick(), ms);
    };
    const tick = async () => {
      if (running) return;
      running = true;
      let result: LoadResult = 'error';
      try {
        result = await load();
      } catch {
        result = 'error';
      }
      running = false;
      if (!live || result === 'gone') return;
      if (result === 'error' && !projectRef.current) setFailed(true);
      else setFailed(false);
      const now = projectRef.current;
      if (result === 'changed' && now?.cluster_status) void loadHistory();
      schedule(now && !settled(now.cluster_status) ? FAST_POLL_MS : SLOW_POLL_MS);
    };
    pollSoon.current = () => schedule(FAST_POLL_MS);
    void tick();
    return () => {
      live = false;
      pollSoon.current = () => {};
      if (timer) clearTimeout(timer);
    };
  }, [load, loadHistory]);

  // The console shows the project's organization (one it just joined is read again first).
  useEffect(() => {
    if (!project || !organizations) return;
    if (organizations.some((o) => o.id === project.organization_id)) {
      if (current?.id !== project.organization_id) select(project.organization_id);
    } else if (reloadedFor.current !== project.organization_id) {
      reloadedFor.current = project.organization_id;
      void reload();
    }
  }, [project, organizations, current, select, reload]);

  const onDelete = async () => {
    if (!project) return;
    setDeleteBusy(true);
    setDeleteError(null);
    const result = await call(api.DELETE('/v1/projects/{id}', { params: { path: { id: project.id } } }));
    setDeleteBusy(false);
    if (result.data) {
      etag.current = null;
      projectRef.current = result.data;
      setProject(result.data);
      setConfirming(false);
      setEditing(false);
      setSaved(false);
      void loadHistory();
      pollSoon.current();
      headingRef.current?.focus();
      return;
    }
    setDeleteError(result.network ? { code: 'network' } : (result.error ?? {}));
  };

  if (missing) return <ConsoleNotFound />;
  if (!project) {
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
    return <Spinner label={t('app.loading')} />;
  }

  const organizationName = organization?.name ?? '';
  const creator = project.created_by ? (project.created_by.full_name ?? t('project.formerMember')) : null;

  return (
    <div data-testid="project-page" data-project={project.name} data-status={project.cluster_status ?? undefined}>
      <p className="breadcrumb">
        <Link to={paths.projects}>
          <span aria-hidden="true">← </span>
          {t('project.back')}
        </Link>
      </p>
      <div className="page-head">
        <div>
          <h1 ref={headingRef} tabIndex={-1} data-testid="project-name">
            {project.name}
          </h1>
          {organizationName && <p>{t('project.in', { organization: organizationName })}</p>}
        </div>
        {full && <StatusBadge status={project.cluster_status} />}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {deleting && (
        <div className="alert alert--warning panel-note" data-testid="project-deleting">
          <span className="btn__spinner" aria-hidden="true" /> {t('project.deletingNote')}
        </div>
      )}
      <div role="status" aria-live="polite">
        {saved && (
          <div className="alert alert--success panel-note" data-testid="project-saved">
            {t('project.saved')}
          </div>
        )}
      </div>

      {full && (
        <section className="panel" aria-labelledby="project-cluster">
          <div className="panel__head">
            <div>
              <h2 id="project-cluster">{t('projects.col.status')}</h2>
              <p>{t('project.clusterIntro')}</p>
            </div>
          </div>
          <div className="panel__body stack">
            {project.cluster_status === 'failed' && project.cluster_failure_reason && (
              <div className="alert alert--error" data-testid="project-failure">
                <strong>{t('project.failureReason')}</strong> {project.cluster_failure_reason}
              </div>
            )}
            {history === null ? (
              <Spinner label={t('app.loading')} />
            ) : (
              <ol className="timeline" data-testid="project-history" aria-label={t('project.history')}>
                {history.map((change, i) => (
                  <li
                    key={`${change.occurred_at}-${i}`}
                    className="timeline__item"
                    data-status={change.status}
                    data-testid="project-history-item"
                    aria-current={i === history.length - 1 ? 'step' : undefined}
                  >
                    <span className="timeline__status">{statusLabel(t, change.status)}</span>
                    <time className="timeline__time" dateTime={change.occurred_at}>
                      {formatDate(lang, change.occurred_at, true)}
                    </time>
                    {change.reason && <span className="timeline__reason">{change.reason}</span>}
                  </li>
                ))}
              </ol>
            )}
          </div>
        </section>
      )}

      {editing ? (
        <section className="panel" aria-labelledby="project-edit">
          <div className="panel__head">
            <div>
              <h2 id="project-edit">{t('project.edit.title')}</h2>
              <p>{t('project.edit.intro')}</p>
            </div>
          </div>
          <div className="panel__body">
            <ProjectForm
              project={project}
              onDone={(updated) => {
                setEditing(false);
                if (updated) {
                  etag.current = null;
                  setProject(updated);
                  setSaved(true);
                }
                setTimeout(() => editButton.current?.focus(), 0);
              }}
            />
          </div>
        </section>
      ) : (
        <>
          <section className="panel" aria-labelledby="project-details">
            <div className="panel__head panel__head--wrap">
              <div>
                <h2 id="project-details">{t('project.details')}</h2>
              </div>
              {manages && !deleting && (
                <Button
                  ref={editButton}
                  variant="secondary"
                  onClick={() => {
                    setSaved(false);
                    setEditing(true);
                  }}
                  data-testid="project-edit"
                >
                  {t('project.edit')}
                </Button>
              )}
            </div>
            <div className="panel__body">
              <dl className="dl" data-testid="project-details">
                <dt>{t('project.name')}</dt>
                <dd>{project.name}</dd>
                {full && (
                  <>
                    <dt>{t('project.description')}</dt>
                    <dd className="pre-line" data-testid="project-description">
                      {project.description}
                    </dd>
                  </>
                )}
                <dt>{t('project.organization')}</dt>
                <dd>{organizationName}</dd>
                {creator !== null && (
                  <>
                    <dt>{t('project.createdBy')}</dt>
                    <dd data-testid="project-created-by">{creator}</dd>
                  </>
                )}
                <dt>{t('project.createdAt')}</dt>
                <dd>{formatDate(lang, project.created_at, true)}</dd>
                <dt>{t('project.updatedAt')}</dt>
                <dd>{formatDate(lang, project.updated_at, true)}</dd>
              </dl>
            </div>
          </section>
          <section className="panel" aria-labelledby="project-vat">
            <div className="panel__head">
              <div>
                <h2 id="project-vat">{t('project.vat')}</h2>
              </div>
            </div>
            <div className="panel__body">
              <dl className="dl" data-testid="project-vat">
                <dt>{t('project.vatId')}</dt>
                <dd data-testid="project-vat-id">{formatVatId(project.vat_id)}</dd>
                <dt>{t('project.vatName')}</dt>
                <dd>{project.vat_name}</dd>
                <dt>{t('project.vatAddress')}</dt>
                <dd className="pre-line">{project.vat_address}</dd>
              </dl>
            </div>
          </section>
        </>
      )}

      {manages && !deleting && (
        <section className="panel panel--danger" aria-labelledby="project-delete">
          <div className="panel__head panel__head--wrap">
            <div>
              <h2 id="project-delete">{t('project.delete')}</h2>
              <p>{t('project.delete.intro')}</p>
            </div>
            <Button
              variant="danger"
              onClick={() => {
                setDeleteError(null);
                setConfirming(true);
              }}
              data-testid="project-delete"
            >
              {t('project.delete')}
            </Button>
          </div>
        </section>
      )}

      <Dialog
        open={confirming}
        small
        title={t('project.delete.confirm.title', { project: project.name })}
        onClose={() => !deleteBusy && setConfirming(false)}
        initialFocus={cancelDeleteRef}
        testId="project-delete-confirm"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelDeleteRef} variant="secondary" onClick={() => setConfirming(false)} disabled={deleteBusy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void onDelete()} busy={deleteBusy} data-testid="project-delete-ok">
              {t('project.delete.confirm.ok', { project: project.name })}
            </Button>
          </div>
        }
      >
        <p>{t('project.delete.confirm.body', { project: project.name, organization: organizationName })}</p>
        {deleteError && (
          <p className="alert alert--error" role="alert">
            {problemMessage(t, deleteError)}
          </p>
        )}
      </Dialog>
    </div>
  );
}

const FIELDS = ['name', 'description', 'vat_id', 'vat_name', 'vat_address'] as const;
type Field = (typeof FIELDS)[number];

/** Name, description and VAT data; only the fields changed are sent. */
function ProjectForm({ project, onDone }: { project: Project; onDone: (updated: Project | null) => void }) {
  const { t } = useI18n();
  const [start] = useState<Record<Field, string>>(() => ({
    name: project.name,
    description: project.description ?? '',
    vat_id: formatVatId(project.vat_id),
    vat_name: project.vat_name,
    vat_address: project.vat_address,
  }));
  const [values, setValues] = useState(start);
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(FIELDS);
  const nameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    nameRef.current?.focus();
  }, []);

  const set = (name: Field) => (value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    form.clearField(name);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const changed = Object.fromEntries(FIELDS.filter((f) => values[f] !== start[f]).map((f) => [f, values[f]]));
    if (Object.keys(changed).length === 0) {
      onDone(null);
      return;
    }
    setBusy(true);
    const result = await call(
      api.PATCH('/v1/projects/{id}', { params: { path: { id: project.id } }, body: changed as Schemas['UpdateProjectBody'] }),
    );
    setBusy(false);
    if (result.data) {
      onDone(result.data);
      return;
    }
    if (result.network) form.failNetwork();
    else form.fail(result.error);
  };

  return (
    <form className="form" noValidate onSubmit={onSubmit} data-testid="project-edit-form">
      <FormAlert message={form.errors.form} seq={form.seq} />
      <TextField ref={nameRef} label={t('project.name')} value={values.name} onValue={set('name')} errors={form.field('name')} required maxLength={100} />
      <TextAreaField label={t('project.description')} value={values.description} onValue={set('description')} errors={form.field('description')} required rows={3} />
      <TextField
        label={t('project.vatId')}
        hint={t('project.vatIdHint')}
        value={values.vat_id}
        onValue={set('vat_id')}
        errors={form.field('vat_id')}
        required
        inputMode="numeric"
        autoComplete="off"
      />
      <TextField label={t('project.vatName')} value={values.vat_name} onValue={set('vat_name')} errors={form.field('vat_name')} required />
      <TextAreaField label={t('project.vatAddress')} value={values.vat_address} onValue={set('vat_address')} errors={form.field('vat_address')} required rows={2} />
      <div className="actions actions--end">
        <Button variant="secondary" onClick={() => onDone(null)} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" busy={busy} data-testid="project-edit-submit">
          {t('project.edit.save')}
        </Button>
      </div>
    </form>
  );
}
