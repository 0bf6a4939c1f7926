/** The words generated texts are made of: names, title families with their tags, conversation snippets. */

export const FIRST_NAMES = [
  'Anna', 'Ben', 'Clara', 'David', 'Elena', 'Felix', 'Grace', 'Hannah', 'Isaac', 'Julia', 'Karim', 'Lena', 'Marco', 'Nina', 'Oscar',
  'Paula', 'Quentin', 'Rosa', 'Samir', 'Tara', 'Umar', 'Vera', 'William', 'Xenia', 'Yusuf', 'Zoe', 'Amelie', 'Bruno', 'Chloe', 'Daniel',
  'Emma', 'Finn', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Leon', 'Mia', 'Noah', 'Olivia', 'Paul', 'Rita', 'Simon', 'Theo', 'Ursula',
  'Victor', 'Wanda', 'Yara', 'Aisha', 'Lukas', 'Sofia', 'Mateo', 'Priya', 'Kenji', 'Fatima', 'Lars', 'Ingrid', 'Pierre', 'Carmen',
];
export const LAST_NAMES = [
  'Müller', 'Schmidt', 'Garcia', 'Rossi', 'Nguyen', 'Kowalski', 'Jensen', 'Dubois', 'Silva', 'Novak', 'Smith', 'Johnson', 'Brown',
  'Taylor', 'Wilson', 'Martin', 'Becker', 'Hoffmann', 'Schulz', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Lopez', 'Moreau', 'Bianchi',
  'Andersson', 'Nielsen', 'Kim', 'Tanaka', 'Haddad', 'Okafor', 'Ivanova', 'Costa', 'Horvat', 'Berg', 'Lindqvist', 'Keller', 'Vogel', 'Roth',
];
export const COMPANY_WORDS = [
  'Northwind', 'Bluebird', 'Redwood', 'Summit', 'Harbor', 'Granite', 'Silverline', 'Evergreen', 'Brightpath', 'Ironclad', 'Maple',
  'Cobalt', 'Aurora', 'Pioneer', 'Keystone', 'Lakeside', 'Riverstone', 'Sunrise', 'Atlas', 'Beacon', 'Cedar', 'Crescent', 'Falcon',
  'Horizon', 'Juniper', 'Meridian', 'Nova', 'Orchid', 'Polaris', 'Quantum', 'Sterling', 'Tidewater', 'Vantage', 'Willow', 'Zenith',
];
export const COMPANY_TRADES = [
  'Logistics', 'Dental', 'Legal', 'Bakery', 'Consulting', 'Engineering', 'Foods', 'Health', 'Insurance', 'Labs', 'Media', 'Motors',
  'Pharma', 'Realty', 'Retail', 'Software', 'Studios', 'Textiles', 'Travel', 'Ventures', 'Architects', 'Accounting', 'Clinic', 'Hotels',
];
export const COMPANY_SUFFIXES = ['GmbH', 'AG', 'Ltd', 'Inc.', 'LLC', 'SA', 'BV', 'Co.', '', '', ''];

export const TAG_NAMES = [
  'billing', 'invoice', 'refund', 'login', 'password', 'sso', '2fa', 'portal', 'printer', 'hardware', 'network', 'vpn', 'wifi', 'email',
  'outlook', 'mobile', 'api', 'webhook', 'integration', 'performance', 'outage', 'monitoring', 'disk', 'cpu', 'backup', 'security',
  'certificate', 'feature-request', 'export', 'import', 'reporting', 'permissions', 'onboarding', 'offboarding', 'licensing',
  'subscription', 'gdpr', 'phone', 'teams', 'translation',
];

/** Title families: variants of one issue (so pg_trgm finds clusters) and the tags that usually go with it. */
export const TEMPLATES: { variants: string[]; tags: string[]; channel?: string }[] = [
  { variants: ['Printer jam on floor {floor}', 'Printer jammed on {ord} floor', 'printer jam, floor {floor}', 'Paper jam in the printer on floor {floor}', 'Printer on floor {floor} keeps jamming'], tags: ['printer', 'hardware'] },
  { variants: ['Cannot log in to portal', "Can't login to the portal", 'Cannot log in to the customer portal', 'Unable to log in to portal', 'cant log into portal', 'Login to portal fails'], tags: ['login', 'portal'] },
  { variants: ['Password reset email not received', "Didn't get the password reset email", 'Password reset link not arriving', 'Reset password mail never arrives'], tags: ['password', 'email'] },
  { variants: ['Invoice {inv} shows wrong amount', 'Wrong amount on invoice {inv}', 'Invoice amount incorrect ({inv})', 'Incorrect total on invoice {inv}'], tags: ['billing', 'invoice'] },
  { variants: ['VPN keeps disconnecting', 'VPN connection drops every few minutes', 'VPN disconnects frequently', 'VPN dropping connection'], tags: ['vpn', 'network'] },
  { variants: ['Outlook not syncing emails', 'Emails not syncing in Outlook', 'Outlook mailbox not updating', 'Outlook sync stuck'], tags: ['outlook', 'email'] },
  { variants: ['Dashboard is very slow', 'Dashboard loading slowly', 'Dashboard takes forever to load', 'Slow dashboard performance'], tags: ['performance'] },
  { variants: ['Mobile app crashes on startup', 'App crashes when opening on {device}', 'Mobile app crashing on launch', 'App crash on start ({device})'], tags: ['mobile'] },
  { variants: ['CSV export fails', 'Export to CSV not working', 'CSV export returns empty file', 'Cannot export report to CSV'], tags: ['export', 'reporting'] },
  { variants: ['Two-factor code not accepted', '2FA code rejected', 'Two factor authentication code invalid', '2FA not working after phone change'], tags: ['2fa', 'login', 'security'] },
  { variants: ['Wi-Fi not working in meeting room {n}', 'No Wi-Fi in meeting room {n}', 'WiFi down in conference room {n}', 'Wireless not working in room {n}'], tags: ['wifi', 'network'] },
  { variants: ['API returns 500 error', 'Getting 500 errors from the API', 'API error 500 on /orders', 'Internal server error from API'], tags: ['api'] },
  { variants: ['Webhooks not delivered', 'Webhook deliveries failing', 'Not receiving webhook events', 'Webhook calls timing out'], tags: ['webhook', 'integration'] },
  { variants: ['SSO login fails with SAML error', 'SAML SSO not working', 'Single sign-on error after certificate update', 'SSO redirect loop'], tags: ['sso', 'login'] },
  { variants: ['Please add new user account for {name}', 'New user account request: {name}', 'Create account for new employee {name}', 'Add {name} as a user'], tags: ['onboarding'] },
  { variants: ['Remove access for {name}', 'Deactivate account of {name}', "Offboarding: disable {name}'s account", 'Please remove user {name}'], tags: ['offboarding', 'security'] },
  { variants: ['Need additional licenses', 'Request for {n} more licenses', 'Buy extra seats for our team', 'License limit reached'], tags: ['licensing'] },
  { variants: ['Refund request for order {inv}', 'Requesting refund for order {inv}', 'Please refund order {inv}', 'Refund for order {inv} needed'], tags: ['refund', 'billing'] },
  { variants: ['Charged twice this month', 'Double charged on credit card', 'Duplicate payment on our card', 'We were billed twice'], tags: ['billing', 'refund'] },
  { variants: ['Monitor flickering at desk {n}', 'Screen flickering on desk {n}', 'Flickering display at desk {n}', 'Monitor on desk {n} flickers'], tags: ['hardware'] },
  { variants: ['Laptop battery drains quickly', 'Laptop battery not holding charge', 'Battery life very short on laptop', 'Laptop battery dies fast'], tags: ['hardware'] },
  { variants: ['Disk space full on {host}', 'Low disk space on {host}', 'Disk usage above 90% on {host}', 'Disk almost full on {host}'], tags: ['monitoring', 'disk'], channel: 'MONITORING' },
  { variants: ['High CPU load on {host}', 'CPU usage critical on {host}', 'CPU at 100% on {host}', 'High CPU usage on {host}'], tags: ['monitoring', 'cpu'], channel: 'MONITORING' },
  { variants: ['{service} is down', '{service} not responding', '{service} unavailable', 'Outage: {service} unreachable'], tags: ['outage', 'monitoring'], channel: 'MONITORING' },
  { variants: ['SSL certificate expiring soon', 'SSL certificate expires in {n} days', 'TLS certificate about to expire', 'Certificate for {host} expiring'], tags: ['certificate', 'security'] },
  { variants: ['Nightly backup failed', 'Backup job failed on {host}', 'Backup did not complete last night', 'Backup failed on {host}'], tags: ['backup', 'monitoring'], channel: 'MONITORING' },
  { variants: ['Feature request: dark mode', 'Please add dark mode', 'Dark mode for the dashboard?', 'Request: dark theme'], tags: ['feature-request'] },
  { variants: ['Feature request: bulk edit', 'Bulk editing would be great', 'Can we bulk edit records?', 'Request: bulk update of records'], tags: ['feature-request'] },
  { variants: ['Google Calendar integration not syncing', 'Calendar sync with Google broken', 'Google Calendar sync stopped', 'Events not syncing to Google Calendar'], tags: ['integration'] },
  { variants: ['Not receiving notification emails', 'Email notifications stopped', 'No notification emails since yesterday', 'Notification emails missing'], tags: ['email'] },
  { variants: ['Our emails are going to spam', 'Emails land in spam folder', 'Outgoing mails marked as spam', 'Customers get our emails in spam'], tags: ['email'] },
  { variants: ['Import of contacts fails', 'Contact import error at row {n}', 'Cannot import contacts from CSV', 'Contacts CSV import failing'], tags: ['import'] },
  { variants: ['Monthly report shows wrong numbers', 'Numbers in monthly report incorrect', 'Monthly report totals are wrong', 'Wrong figures in monthly report'], tags: ['reporting'] },
  { variants: ['Wrong time zone in reports', 'Times shown in wrong timezone', 'Report timestamps in wrong time zone', 'Timezone incorrect in exports'], tags: ['reporting'] },
  { variants: ['Permission denied when opening project', 'Access denied to shared folder', 'No access to shared drive', 'Permission error on project folder'], tags: ['permissions'] },
  { variants: ['Network drive not mapping', 'Network drive disconnected', 'Cannot access network drive S:', 'Shared network drive missing'], tags: ['network'] },
  { variants: ['Desk phone has no dial tone', 'No dial tone on phone ext {n}', 'Phone extension {n} not working', 'Desk phone dead at ext {n}'], tags: ['phone', 'hardware'] },
  { variants: ['Teams calls dropping', 'Microsoft Teams audio cutting out', 'Teams meeting audio issues', 'Audio drops in Teams calls'], tags: ['teams'] },
  { variants: ['Upgrade to Enterprise plan', 'Request to upgrade our plan', 'How do we upgrade to Enterprise?', 'Plan upgrade request'], tags: ['subscription', 'billing'] },
  { variants: ['Cancel our subscription', 'Please cancel subscription', 'Subscription cancellation request', 'We want to cancel our subscription'], tags: ['subscription'] },
  { variants: ['Update billing address', 'Change billing address on invoices', 'New billing address for invoices', 'Billing address change'], tags: ['billing'] },
  { variants: ['Add VAT number to invoices', 'VAT ID missing on invoice', 'Please include our VAT ID on invoices', 'VAT number not shown on invoice'], tags: ['invoice', 'billing'] },
  { variants: ['Mobile app not syncing', 'Data not syncing between app and web', 'App sync not working', 'Mobile app shows old data'], tags: ['mobile'] },
  { variants: ['Search returns no results', 'Search not finding existing records', 'Search is broken', 'Search finds nothing'], tags: ['performance'] },
  { variants: ['File upload fails for large files', 'Cannot upload files larger than 10 MB', 'Upload error with big attachments', 'Large file upload failing'], tags: [] },
  { variants: ['Emails delayed by hours', 'Email delivery delayed', 'Incoming emails arrive late', 'Emails arriving hours late'], tags: ['email'] },
  { variants: ['Account locked after failed logins', 'My account is locked', 'Locked out of my account', 'Account locked, please unlock'], tags: ['login', 'security'] },
  { variants: ['Page not found after update', '404 error on settings page', 'Settings page returns 404', 'Getting 404 on settings'], tags: ['portal'] },
  { variants: ['Typo in German translation', 'Wrong translation in French UI', 'Translation error on checkout page', 'Untranslated text in Spanish version'], tags: ['translation'] },
  { variants: ['Printer out of toner on floor {floor}', 'Toner empty, floor {floor} printer', 'Need toner for printer on {ord} floor', 'Printer toner low on floor {floor}'], tags: ['printer'] },
  { variants: ['Badge reader not working at entrance', 'Door badge not accepted', "Access badge doesn't open door", 'Badge reader broken at main entrance'], tags: ['hardware', 'security'] },
  { variants: ['Training request for new team', 'Can we get a training session?', 'Request for product training', 'Training for new staff members'], tags: ['onboarding'] },
  { variants: ['API rate limit too low', 'Hitting API rate limits', '429 Too Many Requests from API', 'API throttling our requests'], tags: ['api'] },
  { variants: ['Salesforce sync failing', 'Salesforce integration error', 'Salesforce connector not syncing', 'Sync to Salesforce broken'], tags: ['integration'] },
  { variants: ['GDPR data deletion request', 'Request to delete personal data', 'Delete my data (GDPR)', 'GDPR erasure request'], tags: ['gdpr'] },
  { variants: ['Need copy of invoice {inv}', 'Please resend invoice {inv}', 'Invoice {inv} copy request', 'Resend invoice {inv} please'], tags: ['invoice'] },
  { variants: ['DNS not resolving for {host}', 'DNS lookup fails for {host}', '{host} does not resolve', 'DNS error for {host}'], tags: ['network'] },
  { variants: ['Browser shows certificate warning', 'Certificate warning in Chrome', 'Security warning when opening portal', 'Browser says connection not private'], tags: ['certificate', 'portal'] },
  { variants: ['Network very slow in {site} office', 'Slow internet at {site} office', 'Internet connection slow in {site}', 'Slow network in the {site} office'], tags: ['network', 'performance'] },
  { variants: ['Webcam not detected', 'Camera not working in video calls', 'Laptop camera not found', 'Webcam stopped working'], tags: ['hardware', 'teams'] },
];
export const SUBJECTS = ['Calendar widget', 'Checkout page', 'Order history', 'User profile', 'Billing page', 'Admin panel', 'Sidebar', 'Reports tab', 'PDF generator', 'Price list', 'Contract upload', 'Team settings', 'Audit log', 'Onboarding wizard', 'Product catalog', 'Shipping label', 'Time tracking', 'Expense form', 'Customer list', 'Tax settings'];
export const PROBLEMS = ['shows an error', 'looks broken', 'loads forever', 'shows old data', 'is missing entries', 'has wrong totals', 'freezes', 'displays garbled text', 'does not save changes', 'crashes the browser', 'is empty', 'shows duplicate rows'];
export const CONTEXTS = ['in Safari', 'in Firefox', 'since the last update', 'for some users', 'on Mondays', 'after login', 'on the iPad', 'in the EU region', 'for admins only', 'when filtering by date', 'with more than 100 items', 'in dark mode'];
export const HOSTS = ['db-01', 'db-02', 'web-01', 'web-02', 'web-03', 'app-01', 'app-02', 'mail-01', 'files-01', 'backup-01', 'cache-01', 'queue-01'];
export const SERVICES = ['Mail server', 'Customer portal', 'File server', 'Payment gateway', 'Intranet', 'VPN gateway', 'API gateway', 'Build server'];
export const SITES = ['Berlin', 'Munich', 'Hamburg', 'Vienna', 'Zurich', 'London', 'Paris', 'Madrid', 'Lisbon', 'Warsaw', 'Prague', 'Amsterdam'];
export const DEVICES = ['iPhone 13', 'iPhone 15', 'Pixel 7', 'Galaxy S23', 'iPad', 'Android tablet'];
export const ORDINALS = ['1st', '2nd', '3rd', '4th', '5th', '6th', '7th', '8th', '9th', '10th', '11th', '12th'];

export const GREETINGS = ['Hi,', 'Hello,', 'Hello team,', 'Dear support,', 'Hi there,', 'Good morning,'];
export const DETAILS = [
  'It started this morning and affects several colleagues.', 'This happens every time we try.', 'We already restarted everything, no change.',
  'It worked fine until last week.', 'Only some of our users see this.', 'The problem comes and goes.', 'We need this fixed before our month-end close.',
  'Screenshot attached.', 'Steps: open the page, click save, nothing happens.', 'Our whole team is blocked by this.', 'Not urgent, but annoying.',
];
export const SIGN_OFFS = ['Thanks!', 'Thank you.', 'Best regards', 'Kind regards', 'Cheers', 'Thanks in advance.'];

export const FIRST_RESPONSES = [
  'Thanks for reaching out, we are looking into it.', 'Thank you for the report. I am checking this now.', 'Hi, thanks for letting us know. Investigating.',
  'We received your request and are on it.', 'Thanks! I can reproduce this and will update you shortly.', 'Sorry for the trouble, looking into this right away.',
];
export const STAFF_UPDATES = [
  'Quick update: we found the cause and are working on a fix.', 'Still on it, thanks for your patience.', 'We deployed a change, could you check again?',
  'I have escalated this to our second-level team.', 'We are testing a fix in staging.', 'Could you confirm whether this still happens?',
];
export const INTERNAL_NOTES = [
  'Checked the logs, looks like a config issue.', 'Same issue as last month for this customer.', 'Needs a look from the network team.',
  'Reproduced locally.', 'Customer is on the old plan, keep in mind.', 'Probably related to the last deploy.', 'Asked the vendor informally, waiting.',
  'Workaround documented in the wiki.', 'VIP customer, please prioritise.',
];
export const CUSTOMER_REPLIES = [
  'Here is the screenshot you asked for.', 'Yes, it still happens.', 'It happens on all our machines.', 'Thanks, we will try that.',
  'Any news on this?', 'We tried the workaround, no luck.', 'The error message says: access denied.', 'It started after your maintenance window.',
];
export const WAIT_CUSTOMER_REASONS = [
  'Could you send us a screenshot of the error?', 'Which browser and version are you using?', 'Can you confirm the affected user accounts?',
  'Please try clearing the cache and let us know.', 'Could you share the exact time it happened?', 'Can you send the invoice number in question?',
];
export const WAIT_THIRD_PARTY_REASONS = [
  'Escalated to the vendor, waiting for their answer.', 'Waiting for the carrier to replace the line.', 'Hardware replacement ordered.',
  'Waiting for the payment provider.', 'Ticket opened with the hosting provider.', 'Waiting for the certificate authority.',
];
export const RESOLUTION_NOTES = [
  'Fixed the configuration and verified with the customer.', 'Replaced the faulty part.', 'Reset the account and sent new credentials.',
  'Applied the patch; the issue no longer occurs.', 'Corrected the invoice and sent an updated copy.', 'Explained the setting; works as intended.',
  'Cleared the queue and restarted the service.', 'Renewed the certificate.', 'Refund issued.', 'Feature request logged with product management.',
  'Updated the DNS records.', 'Increased the quota.', 'Removed the stale session, login works again.',
];
export const REOPEN_REPLIES = ['It is happening again.', 'Unfortunately this is not fixed.', 'The problem is back since this morning.', 'Still broken for us, sorry.'];
export const REOPEN_REASONS = ['Customer reports the problem again.', 'Fix did not hold, reopening.', 'Regression after the last update.'];
export const RATING_GOOD = ['Quick and friendly, thanks!', 'Great support.', 'Solved fast, thank you.', 'Very helpful.', 'Perfect.'];
export const RATING_MEH = ['Took a while but OK.', 'Fine.', 'Solved eventually.'];
export const RATING_BAD = ['Took far too long.', 'Nobody answered for days.', 'Problem is not really solved.', 'Not happy with the response time.'];
