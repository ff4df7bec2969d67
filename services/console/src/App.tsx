import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { NavLink, Navigate, Route, Routes, useLocation } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { SessionContext, loadSession, onSessionChange, saveSession, type Role, type Session } from './auth/session';
import { Bell } from './components/Bell';
import { SignIn, SignInCallback } from './pages/SignIn';
import { callbackPath } from './auth/oidc';
import { Inbox } from './pages/Inbox';
import { Profile } from './pages/Profile';
import { BookingPage } from './pages/BookingPage';
import { Pending } from './pages/mentor/Pending';
import { Upcoming } from './pages/mentor/Upcoming';
import { AllSessions } from './pages/mentor/AllSessions';
import { PendingConfirmation } from './pages/mentor/PendingConfirmation';
import { AvailabilityPage } from './pages/mentor/Availability';
import { Calendars } from './pages/mentor/Calendars';
import { Offerings } from './pages/mentor/Offerings';
import { Settings } from './pages/mentor/Settings';
import { ReputationPage } from './pages/mentor/Reputation';
import { FindMentor } from './pages/mentee/FindMentor';
import { MyBookings } from './pages/mentee/MyBookings';
import { Bundles } from './pages/mentee/Bundles';
import { Mailbox } from './pages/admin/Mailbox';
import { Standing } from './pages/admin/Standing';
import { DeadLetters } from './pages/admin/DeadLetters';

const nav: Record<Role, Array<[string, string]>> = {
  mentor: [
    ['/mentor/pending', 'Pending requests'],
    ['/mentor/upcoming', 'Upcoming'],
    ['/mentor/bookings', 'All sessions'],
    ['/mentor/confirm', 'Pending confirmation'],
    ['/mentor/availability', 'Availability'],
    ['/mentor/calendars', 'Other calendars'],
    ['/mentor/offerings', 'Offerings'],
    ['/mentor/settings', 'Booking settings'],
    ['/mentor/reputation', 'Reputation & payouts'],
  ],
  mentee: [
    ['/find', 'Book a session'],
    ['/bookings', 'My bookings'],
    ['/bundles', 'Bundles'],
  ],
  admin: [
    ['/admin/bookings', 'All bookings'],
    ['/admin/mailbox', 'Mailbox'],
    ['/admin/mentors', 'Mentor standing'],
    ['/admin/deadLetters', 'Dead letters'],
  ],
};

const home: Record<Role, string> = { mentor: '/mentor/pending', mentee: '/bookings', admin: '/admin/bookings' };

export function App() {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const queries = useQueryClient();
  useEffect(
    () =>
      onSessionChange(() => {
        setSession(loadSession());
        queries.clear();
      }),
    [queries],
  );
  const ctx = useMemo(() => (session ? { session, update: saveSession } : null), [session]);
  const { pathname } = useLocation();
  if (pathname === callbackPath && (!session || !ctx)) return <SignInCallback />;
  if (!session || !ctx) return <SignIn />;
  return (
    <SessionContext.Provider value={ctx}>
      <Shell session={session}>
        <Routes>
          <Route path="/" element={<Navigate to={home[session.role]} replace />} />
          <Route path={callbackPath} element={<Navigate to={home[session.role]} replace />} />
          <Route path="/inbox" element={<Inbox />} />
          <Route path="/profile" element={<Profile />} />
          <Route path="/bookings/:id" element={<BookingPage />} />
          <Route path="/mentor/bookings/:id" element={<BookingPage />} />
          {session.role === 'mentor' && (
            <>
              <Route path="/mentor/pending" element={<Pending />} />
              <Route path="/mentor/upcoming" element={<Upcoming />} />
              <Route path="/mentor/bookings" element={<AllSessions />} />
              <Route path="/mentor/confirm" element={<PendingConfirmation />} />
              <Route path="/mentor/availability" element={<AvailabilityPage />} />
              <Route path="/mentor/calendars" element={<Calendars />} />
              <Route path="/mentor/offerings" element={<Offerings />} />
              <Route path="/mentor/settings" element={<Settings />} />
              <Route path="/mentor/reputation" element={<ReputationPage />} />
            </>
          )}
          {session.role === 'mentee' && (
            <>
              <Route path="/find" element={<FindMentor />} />
              <Route path="/bookings" element={<MyBookings />} />
              <Route path="/bundles" element={<Bundles />} />
            </>
          )}
          {session.role === 'admin' && (
            <>
              <Route path="/admin/bookings" element={<AllSessions />} />
              <Route path="/admin/mailbox" element={<Mailbox />} />
              <Route path="/admin/mentors" element={<Standing />} />
              <Route path="/admin/deadLetters" element={<DeadLetters />} />
            </>
          )}
          <Route path="*" element={<NotFound role={session.role} />} />
        </Routes>
      </Shell>
    </SessionContext.Provider>
  );
}

function Shell({ session, children }: { session: Session; children: ReactNode }) {
  const { pathname } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [pathname]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="/">
          bookwell
        </a>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? 'open' : undefined}>
          <ul>
            {nav[session.role].map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/bookings'}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <Bell />
          <NavLink to="/profile" className="profile-link" title={`Times in ${session.timeZone}`}>
            {session.name || session.subject} <span className="role">({session.role})</span>
          </NavLink>
          <button type="button" className="link" onClick={() => saveSession(null)}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function NotFound({ role }: { role: Role }) {
  return (
    <section>
      <h1>Not here</h1>
      <p>
        There is no such page for a {role}. <a href={home[role]}>Go to your start page</a>.
      </p>
    </section>
  );
}
