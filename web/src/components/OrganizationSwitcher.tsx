// The top bar's organization switcher: a button naming the organization the console shows, which
// opens the list of the caller's organizations and "Create organization". A disclosure (not an
// ARIA menu): the list holds ordinary buttons and a link, reached with Tab; Escape closes it and
// gives the focus back to the button.

import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../app/auth';
import { useOrganizations } from '../app/organizations';
import { useI18n } from '../i18n/I18n';
import { roleMessages } from '../lib/organizationInvitation';
import { paths } from '../app/paths';

export function OrganizationSwitcher() {
  const { t } = useI18n();
  const { organizations, current, select } = useOrganizations();
  const { me } = useAuth();
  const [open, setOpen] = useState(false);
  const listId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const location = useLocation();
  const navigate = useNavigate();

  // Closed by a click elsewhere, or when the focus leaves it.
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  // Another page: the list closes.
  useEffect(() => setOpen(false), [location.pathname]);

  if (!organizations || !current) return null;

  const choose = (id: string) => {
    setOpen(false);
    buttonRef.current?.focus();
    if (id === current.id) return;
    select(id);
    // A project belongs to one organization: the list of the chosen one is shown instead.
    if (/^\/projects\/(?!new$)[^/]+/.test(location.pathname)) navigate(paths.projects);
  };

  const roleName = (role: string) => {
    const messages = roleMessages(role);
    return messages ? t(messages.label) : role;
  };

  return (
    <div
      className="org-switch"
      ref={rootRef}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          event.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
      onBlur={(event) => {
        if (open && !event.currentTarget.contains(event.relatedTarget as Node | null) && event.relatedTarget) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="org-switch__button"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={() => setOpen((o) => !o)}
        data-testid="org-switcher"
        data-organization={current.name}
      >
        <span className="visually-hidden">{t('orgSwitch.label')}: </span>
        <span className="org-switch__name">{current.name}</span>
        <span className="org-switch__role">{roleName(current.role)}</span>
      </button>
      {open && (
        <div className="org-switch__panel" id={listId} data-testid="org-switcher-panel">
          <p className="org-switch__title">{t('orgSwitch.title')}</p>
          <ul className="org-switch__list">
            {organizations.map((o) => (
              <li key={o.id}>
                <button
                  type="button"
                  className="org-switch__item"
                  aria-current={o.id === current.id ? 'true' : undefined}
                  onClick={() => choose(o.id)}
                  data-testid="org-switcher-item"
                  data-organization={o.name}
                >
                  <span className="org-switch__name">{o.name}</span>
                  <span className="org-switch__role">{roleName(o.role)}</span>
                </button>
              </li>
            ))}
          </ul>
          <Link to={paths.newOrganization} className="org-switch__create" onClick={() => setOpen(false)} data-testid="org-switcher-create">
            {t('orgSwitch.create')}
          </Link>
          {/* The top bar leaves the signed-in address out beside the switcher: it is here. */}
          {me && <p className="org-switch__who">{t('app.userMenu', { email: me.email })}</p>}
        </div>
      )}
    </div>
  );
}
