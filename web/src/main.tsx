import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app/App';
import { AuthProvider } from './app/auth';
import { ConfigProvider } from './app/config';
import { I18nProvider } from './i18n/I18n';
import './styles/app.css';
import './styles/console.css';

const root = document.getElementById('root');
if (!root) throw new Error('no #root');

createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <ConfigProvider>
        <BrowserRouter>
          <AuthProvider>
            <App />
          </AuthProvider>
        </BrowserRouter>
      </ConfigProvider>
    </I18nProvider>
  </StrictMode>,
);
