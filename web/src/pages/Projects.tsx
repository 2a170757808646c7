// The projects of the organization the console shows, with each cluster's status, a page at a
// time ("Show more"). While a cluster is being provisioned or deleted the list polls the API with
// If-None-Match, which costs a 304 until something changes; a status change is announced to
// screen readers. The `billing` role sees the projects' names and VAT data only.

import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { api, type Schemas } from '../api/client';
import { useOrganizations, type Organization } from '../app/organizations';
import { Button, Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import type { Translate } from '../i18n/translate';
import { noticeOf } from '../lib/notice';
import { createsProjects, formatVatId, readsProjects, settled } from '../lib/organizations';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Project = Schemas['Project'];
type ClusterStatus = Schemas['ClusterStatus'];

/** Poll every this many ms while a cluster is not settled, and this often otherwise. */
const FAST_POLL_MS = 2000;
const SLOW_POLL_MS = 30000;
/** Projects per page. */
const PAGE = 20;

export function statusLabel(t: Translate, status: ClusterStatus | null | undefined): string {
  switch (status) {
    case 'ready':
      return t('projects.status.ready');
    case 'failed':
      return t('projects.status.failed');
    case 'provisioning':
      return t('projects.status.provisioning');
    case 'deleting':
      return t('projects.status.deleting');
    default:
      return t('projects.status.pending');
  }
}

export function StatusBadge({ status }: { status: ClusterStatus | null | undefined }) {
  const { t } = useI18n();
  // Not shown to every role (the API leaves it out for `billing`).
  if (!status) return null;
  const tone = status === 'ready' ? 'ready' : status === 'failed' ? 'failed' : status === 'deleting' ? 'deleting' : 'pending';
  return (
    <span className={`badge badge--${tone}`} data-testid="cluster-status" data-status={status}>
      {statusLabel(t, status)}
    </span>
  );
}

export function ProjectsPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.projects'));
  const { organizations, current, failed } = useOrganizations();
  const location = useLocation();
  const notice = noticeOf(location.state);

  let body;
  if (!organizations || !current) {
    body = failed ? (
      <section className="panel">
        <div className="empty">
          <p role="alert">{t('problem.network')}</p>
          <Button variant="secondary" onClick={() => window.location.reload()}>
            {t('common.retry')}
          </Button>
        </div>
      </section>
    ) : organizations ? (
      <section className="panel">
        <div className="empty stack">
          <p>{t('orgs.none')}</p>
          <div>
            <Link to={paths.newOrganization} className="btn btn--primary">
              {t('orgSwitch.create')}
            </Link>
          </div>
        </div>
      </section>
    ) : (
      <Spinner label={t('app.loading')} />
    );
  } else {
    // Another organization starts afresh (its own pages, its own ETag).
    body = <ProjectList key={current.id} organization={current} />;
  }

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('projects.title')}</h1>
          <p>{current ? t('projects.introOf', { organization: current.name }) : t('projects.intro')}</p>
        </div>
        {current && createsProjects(current.role) && (
          <Link to={paths.newProject} className="btn btn--primary" data-testid="new-project">
            {t('projects.new')}
          </Link>
        )}
      </div>
      <div role="status" aria-live="polite">
        {notice && (
          <div className="alert alert--success panel-note" data-testid="projects-notice">
            {t(notice.key, notice.vars)}
          </div>
        )}
      </div>
      {body}
    </>
  );
}

function ProjectList({ organization }: { organization: Organization }) {
  const { t, lang } = useI18n();
  const { reload } = useOrganizations();
  const [items, setItems] = useState<Project[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreFailed, setMoreFailed] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const itemsRef = useRef<Project[] | null>(null);
  itemsRef.current = items;
  const cursorRef = useRef<string | null>(null);
  cursorRef.current = cursor;
  // The ETag of the last poll, and the page size it was for (another size is another answer).
  const etag = useRef<{ tag: string; limit: number } | null>(null);
  const tRef = useRef(t);
  tRef.current = t;
  const full = readsProjects(organization.role);

  /** The first pages again, as many projects as are shown (up to 100). */
  const refresh = useCallback(async (): Promise<boolean> => {
    const shown = itemsRef.current?.length ?? 0;
    const limit = Math.min(100, Math.max(PAGE, Math.ceil(shown / PAGE) * PAGE));
    const previous = etag.current && etag.current.limit === limit ? etag.current.tag : null;
    const { data, response } = await api.GET('/v1/organizations/{id}/projects', {
      params: { path: { id: organization.id }, query: { limit }, header: previous ? { 'If-None-Match': previous } : {} },
      cache: 'no-store',
    });
    if (response.status === 304) return true;
    if (response.status === 404) {
      // Deleted, or the person was removed: the console falls back to another organization.
      await reload();
      return false;
    }
    if (!data) return false;
    const tag = response.headers.get('ETag');
    etag.current = tag ? { tag, limit } : null;
    const before = itemsRef.current;
    if (before) {
      const changes: string[] = [];
      for (const p of data.items) {
        const old = before.find((q) => q.id === p.id);
        if (old && old.cluster_status !== p.cluster_status) {
          const tr = tRef.current;
          changes.push(tr('projects.statusChanged', { project: p.name, status: statusLabel(tr, p.cluster_status) }));
        }
      }
      if (changes.length) setAnnouncement(changes.join(' '));
    }
    // Beyond the first 100, the pages loaded with "Show more" stay as they were.
    const tail = before && before.length > limit ? before.slice(limit) : [];
    const next = [...data.items, ...tail];
    // Read by the poll right after this (before the next render).
    itemsRef.current = next;
    setItems(next);
    if (!tail.length) setCursor(data.next_cursor ?? null);
    return true;
  }, [organization.id, reload]);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      let ok = false;
      try {
        ok = await refresh();
      } catch {
        ok = false;
      }
      if (!live) return;
      if (ok) setFailed(false);
      else if (!itemsRef.current) setFailed(true);
      const unsettled = (itemsRef.current ?? []).some((p) => !settled(p.cluster_status));
      timer = setTimeout(tick, unsettled ? FAST_POLL_MS : SLOW_POLL_MS);
    };
    void tick();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [refresh]);

  const showMore = async () => {
    const after = cursorRef.current;
    if (!after) return;
    setMoreBusy(true);
    setMoreFailed(false);
    try {
      const { data } = await api.GET('/v1/organizations/{id}/projects', {
        params: { path: { id: organization.id }, query: { limit: PAGE, after } },
        cache: 'no-store',
      });
      if (data) {
        setItems((old) => {
          const known = new Set((old ?? []).map((p) => p.id));
          return [...(old ?? []), ...data.items.filter((p) => !known.has(p.id))];
        });
        setCursor(data.next_cursor ?? null);
      } else setMoreFailed(true);
    } catch {
      setMoreFailed(true);
    }
    setMoreBusy(false);
  };

  const anyUnsettled = (items ?? []).some((p) => p.cluster_status === 'pending' || p.cluster_status === 'provisioning');

  return (
    <>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {anyUnsettled && <div className="alert alert--info panel-note">{t('projects.pendingNote')}</div>}
      {!full && <div className="alert alert--info panel-note">{t('projects.billingNote')}</div>}
      <section className="panel" aria-label={t('projects.listOf', { organization: organization.name })}>
        {items === null ? (
          failed ? (
            <div className="empty">
              <p role="alert">{t('problem.network')}</p>
              <Button variant="secondary" onClick={() => window.location.reload()}>
                {t('common.retry')}
              </Button>
            </div>
          ) : (
            <Spinner label={t('app.loading')} />
          )
        ) : items.length === 0 ? (
          <p className="empty">{t('projects.empty')}</p>
        ) : full ? (
          <div className="table-wrap">
            <table className="table table--stack" data-testid="projects-table">
              <thead>
                <tr>
                  <th scope="col">{t('projects.col.name')}</th>
                  <th scope="col">{t('projects.col.status')}</th>
                  <th scope="col">{t('projects.col.createdBy')}</th>
                  <th scope="col">{t('projects.col.created')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((project) => (
                  <tr key={project.id} data-testid="project-row" data-project={project.name}>
                    <td>
                      <div className="table__primary">
                        <Link to={paths.project(project.id)} data-testid="project-link">
                          {project.name}
                        </Link>
                      </div>
                      <div className="table__secondary">{project.description}</div>
                    </td>
                    <td data-col="status">
                      <StatusBadge status={project.cluster_status} />
                      {project.cluster_status === 'failed' && project.cluster_failure_reason && (
                        <span className="status-reason">{project.cluster_failure_reason}</span>
                      )}
                    </td>
                    <td data-col="secondary">{project.created_by ? (project.created_by.full_name ?? t('project.formerMember')) : ''}</td>
                    <td data-col="secondary">{formatDate(lang, project.created_at, true)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table table--stack" data-testid="projects-table" data-view="billing">
              <thead>
                <tr>
                  <th scope="col">{t('projects.col.name')}</th>
                  <th scope="col">{t('project.vatId')}</th>
                  <th scope="col">{t('project.vatName')}</th>
                  <th scope="col">{t('project.vatAddress')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((project) => (
                  <tr key={project.id} data-testid="project-row" data-project={project.name}>
                    <td>
                      <div className="table__primary">
                        <Link to={paths.project(project.id)} data-testid="project-link">
                          {project.name}
                        </Link>
                      </div>
                    </td>
                    <td data-col="secondary">{formatVatId(project.vat_id)}</td>
                    <td data-col="secondary">{project.vat_name}</td>
                    <td data-col="secondary" className="pre-line">
                      {project.vat_address}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {items !== null && cursor && (
          <div className="panel__body panel__body--rule">
            {moreFailed && (
              <p className="field__error" role="alert">
                {t('problem.network')}
              </p>
            )}
            <Button variant="secondary" busy={moreBusy} onClick={() => void showMore()} data-testid="projects-more">
              {t('projects.more')}
            </Button>
          </div>
        )}
      </section>
    </>
  );
}
