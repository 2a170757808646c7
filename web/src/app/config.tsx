import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, type Schemas } from '../api/client';
import { Spinner, Button } from '../components/ui';
import { useI18n } from '../i18n/I18n';

export type PortalConfig = Schemas['PortalConfig'];

const ConfigContext = createContext<PortalConfig | null>(null);

/** Loads GET /v1/config once; the forms are built from it (password rules, captcha, legal versions). */
export function ConfigProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const [config, setConfig] = useState<PortalConfig | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setFailed(false);
    api.GET('/v1/config').then(
      ({ data }) => {
        if (!live) return;
        if (data) {
          setConfig(data);
          document.title = data.portal_name;
        } else setFailed(true);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  if (!config) {
    if (failed) {
      return (
        <main className="spinner-page">
          <div className="stack center">
            <p role="alert">{t('problem.network')}</p>
            <div>
              <Button onClick={() => setAttempt((a) => a + 1)}>{t('common.retry')}</Button>
            </div>
          </div>
        </main>
      );
    }
    return <Spinner label={t('app.loading')} />;
  }
  return <ConfigContext.Provider value={config}>{children}</ConfigContext.Provider>;
}

export function useConfig(): PortalConfig {
  const config = useContext(ConfigContext);
  if (!config) throw new Error('useConfig outside ConfigProvider');
  return config;
}
