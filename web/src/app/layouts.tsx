import { useEffect, useId, useRef, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useI18n } from '../i18n/I18n';
import { LANGS, type Lang } from '../i18n/translate';
import { useConfig } from './config';
import { useAuth } from './auth';
import { Button } from '../components/ui';
import { OrganizationSwitcher } from '../components/OrganizationSwitcher';
import { OrganizationsProvider } from './organizations';
import { paths } from './paths';

export function LanguageSelect() {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <div className="lang-select">
      <label htmlFor={id} className="visually-hidden">
        {t('app.language')}
      </label>
      <select id={id} value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="language">
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Brand({ to = '/', plain = false }: { to?: string; plain?: boolean }) {
  const config = useConfig();
  const initials = config.portal_name
    .split(/\s+/)
    .filter((w) => /^[A-Za-z]/.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  const content = (
    <>
      <span className="brand__mark" aria-hidden="true">
        {initials || 'SP'}
      </span>
      <span className="brand__name">{config.portal_name}</span>
    </>
  );
  if (plain) return <span className="brand">{content}</span>;
  return (
    <Link to={to} className="brand">
      {content}
    </Link>
  );
}

/** Moves the focus to the page's heading when the route changes, for screen readers and keyboards. */
export function useFocusOnNavigate() {
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // A page that put the focus somewhere itself (a code entry) keeps it.
    const main = document.querySelector('main');
    const active = document.activeElement;
    if (main && active && active !== document.body && main.contains(active)) return;
    const heading = document.querySelector<HTMLElement>('main h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: false });
    }
  }, [location.pathname]);
}

function SkipLink() {
  const { t } = useI18n();
  return (
    <a className="skip-link" href="#main">
      {t('app.skip')}
    </a>
  );
}

/** Sign in, sign up, verification: a brand panel beside one card. */
export function AuthLayout({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  const config = useConfig();
  useFocusOnNavigate();
  return (
    <div className="auth">
      <SkipLink />
      <aside className="auth__aside">
        <Brand plain />
        <div>
          <p className="aside__headline">{config.profile === 'ai' ? t('app.tagline') : t('app.taglineCloud')}</p>
          <ul className="aside__list">
            <li>{t('aside.1')}</li>
            <li>{t('aside.2')}</li>
            <li>{t('aside.3')}</li>
          </ul>
        </div>
        <p className="aside__foot">{t('app.footer', { year: new Date().getFullYear(), portal: config.portal_name })}</p>
      </aside>
      <div className="auth__main">
        <header className="auth__bar">
          <Brand />
          <LanguageSelect />
        </header>
        <main id="main" className="auth__content">
          {children ?? <Outlet />}
        </main>
      </div>
    </div>
  );
}

function TopBar({ nav }: { nav: boolean }) {
  const { t } = useI18n();
  const { me, signOut } = useAuth();
  return (
    <header className="topbar">
      <div className="topbar__inner">
        <Brand to={nav ? paths.projects : paths.home} />
        {nav && <OrganizationSwitcher />}
        {nav && (
          <nav className="topbar__nav" aria-label={t('app.nav.main')}>
            <NavLink to={paths.projects}>{t('app.nav.projects')}</NavLink>
            <NavLink to={paths.organization}>{t('app.nav.organization')}</NavLink>
            <NavLink to={paths.account}>{t('app.nav.account')}</NavLink>
          </nav>
        )}
        <span className="topbar__spacer" />
        {me && (
          <span className="topbar__user" title={me.email}>
            {me.email}
          </span>
        )}
        <LanguageSelect />
        <Button variant="ghost" onClick={() => void signOut()}>
          {t('app.signOut')}
        </Button>
      </div>
    </header>
  );
}

/** The console after onboarding: top bar with the organization switcher and navigation. */
export function ConsoleLayout({ children }: { children?: ReactNode }) {
  useFocusOnNavigate();
  return (
    <OrganizationsProvider>
      <div className="console">
        <SkipLink />
        <TopBar nav />
        <main id="main" className="console__main">
          {children ?? <Outlet />}
        </main>
      </div>
    </OrganizationsProvider>
  );
}

/** The onboarding steps: top bar without navigation, and the stepper. */
export function OnboardingLayout() {
  useFocusOnNavigate();
  return (
    <div className="console">
      <SkipLink />
      <TopBar nav={false} />
      <main id="main" className="console__main console__main--narrow">
        <Outlet />
      </main>
    </div>
  );
}
