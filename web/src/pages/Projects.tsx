// The project list with each cluster's status. While a cluster is being provisioned the list
// polls the API with If-None-Match, which costs a 304 until something changes; a status change
// is announced to screen readers.

import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, type Schemas } from '../api/client';
import { Button, Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import type { Translate } from '../i18n/translate';

type Organization = Schemas['Organization'];
type Project = Schemas['Project'];
type ClusterStatus = Schemas['ClusterStatus'];

/** Poll every this many ms while a cluster is not settled, and this often otherwise. */
const FAST_POLL_MS = 2000;
const SLOW_POLL_MS = 30000;

export function statusLabel(t: Translate, status: ClusterStatus): string {
  switch (status) {
    case 'ready':
      return t('projects.status.ready');
    case 'failed':
      return t('projects.status.failed');
    case 'provisioning':
      return t('projects.status.provisioning');
    default:
      return t('projects.status.pending');
  }
}

export function StatusBadge({ status }: { status: ClusterStatus }) {
  const { t } = useI18n();
  const tone = status === 'ready' ? 'ready' : status === 'failed' ? 'failed' : 'pending';
  return (
    <span className={`badge badge--${tone}`} data-testid="cluster-status" data-status={status}>
      {statusLabel(t, status)}
    </span>
  );
}

interface OrgProjects {
  org: Organization;
  projects: Project[];
  etag: string | null;
}

export function ProjectsPage() {
  const { t, lang } = useI18n();
  const [data, setData] = useState<OrgProjects[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const dataRef = useRef<OrgProjects[] | null>(null);
  dataRef.current = data;
  const tRef = useRef(t);
  tRef.current = t;

  const load = useCallback(async (): Promise<OrgProjects[] | null> => {
    try {
      const { data: orgList } = await api.GET('/v1/organizations');
      if (!orgList) return null;
      const before = dataRef.current ?? [];
      return await Promise.all(
        orgList.items.map(async (org): Promise<OrgProjects> => {
          const previous = before.find((p) => p.org.id === org.id);
          const { data: list, response } = await api.GET('/v1/organizations/{id}/projects', {
            params: { path: { id: org.id }, header: previous?.etag ? { 'If-None-Match': previous.etag } : {} },
            cache: 'no-store',
          });
          if (response.status === 304 && previous) return { ...previous, org };
          return { org, projects: list?.items ?? [], etag: response.headers.get('ETag') };
        }),
      );
    } catch {
      return null;
    }
  }, []);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const next = await load();
      if (!live) return;
      if (next) {
        const before = dataRef.current;
        if (before) {
          const changes: string[] = [];
          for (const group of next)
            for (const p of group.projects) {
              const old = before.flatMap((g) => g.projects).find((q) => q.id === p.id);
              if (old && old.cluster_status !== p.cluster_status) {
                const tr = tRef.current;
                changes.push(tr('projects.statusChanged', { project: p.name, status: statusLabel(tr, p.cluster_status) }));
              }
            }
          if (changes.length) setAnnouncement(changes.join(' '));
        }
        setData(next);
        setFailed(false);
      } else if (!dataRef.current) setFailed(true);
      const unsettled = (next ?? dataRef.current ?? []).some((g) => g.projects.some((p) => p.cluster_status === 'pending' || p.cluster_status === 'provisioning'));
      timer = setTimeout(tick, unsettled ? FAST_POLL_MS : SLOW_POLL_MS);
    };
    void tick();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load]);

  const all = (data ?? []).flatMap((g) => g.projects.map((p) => ({ project: p, org: g.org })));
  const anyUnsettled = all.some(({ project }) => project.cluster_status === 'pending' || project.cluster_status === 'provisioning');

  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('projects.title')}</h1>
          <p>{t('projects.intro')}</p>
        </div>
        <Link to="/projects/new" className="btn btn--primary" data-testid="new-project">
          {t('projects.new')}
        </Link>
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {anyUnsettled && <div className="alert alert--info panel-note">{t('projects.pendingNote')}</div>}
      <section className="panel">
        {data === null ? (
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
        ) : all.length === 0 ? (
          <p className="empty">{t('projects.empty')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table table--stack" data-testid="projects-table">
              <thead>
                <tr>
                  <th scope="col">{t('projects.col.name')}</th>
                  <th scope="col">{t('projects.col.organization')}</th>
                  <th scope="col">{t('projects.col.status')}</th>
                  <th scope="col">{t('projects.col.created')}</th>
                </tr>
              </thead>
              <tbody>
                {all.map(({ project, org }) => (
                  <tr key={project.id} data-testid="project-row" data-project={project.name}>
                    <td>
                      <div className="table__primary">{project.name}</div>
                      <div className="table__secondary">{project.description}</div>
                    </td>
                    <td data-col="secondary">{org.name}</td>
                    <td data-col="status">
                      <StatusBadge status={project.cluster_status} />
                      {project.cluster_status === 'failed' && project.cluster_failure_reason && (
                        <span className="status-reason">{project.cluster_failure_reason}</span>
                      )}
                    </td>
                    <td data-col="secondary">{formatDate(lang, project.created_at, true)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
