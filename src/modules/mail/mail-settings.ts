/** What composing a mail needs from the configuration. */
export interface MailSettings {
  /** The From of our mail; its domain ends our Message-IDs. */
  mailFrom: string;
  /** Where users reach this server: the base of links (no trailing slash). */
  publicUrl: string;
}
