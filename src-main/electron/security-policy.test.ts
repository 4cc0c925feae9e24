import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  decideNavigation,
  isPermissionAllowed,
  isTrustedCall,
} from './security-policy.js';

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name as string, values];
    }),
  );

  it('runs only our own scripts', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(directives.get('object-src')).toEqual(["'none'"]);
  });

  it('lets the player reach the media scheme and nothing remote', () => {
    expect(directives.get('media-src')).toContain('shoal-media:');
    expect(directives.get('connect-src')).toEqual(["'self'", 'shoal-media:']);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*/);
  });
});

describe('isPermissionAllowed', () => {
  it('grants fullscreen and clipboard writes to our page only', () => {
    expect(isPermissionAllowed('fullscreen', 'shoal-app://app/index.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'shoal-app://app/')).toBe(true);
    // Permission checks pass the bare origin.
    expect(isPermissionAllowed('fullscreen', 'shoal-app://app')).toBe(true);
    expect(isPermissionAllowed('fullscreen', 'https://example.org/')).toBe(false);
  });

  it('denies everything else', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'unknown']) {
      expect(isPermissionAllowed(p, 'shoal-app://app/index.html')).toBe(false);
    }
  });
});

describe('decideNavigation', () => {
  it('allows in-app navigation', () => {
    expect(decideNavigation('shoal-app://app/index.html#/watch')).toEqual({ action: 'allow' });
  });

  it('sends web links to the browser', () => {
    expect(decideNavigation('https://example.org/help')).toEqual({
      action: 'deny',
      openExternally: 'https://example.org/help',
    });
  });

  it('opens nothing for files, scripts and other schemes', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'shoal-media://media/x',
      'smb://host/x',
      '::',
    ]) {
      expect(decideNavigation(url)).toEqual({ action: 'deny', openExternally: null });
    }
  });
});

describe('isTrustedCall', () => {
  const ours = { senderId: 3, windowId: 3, frame: { url: 'shoal-app://app/index.html', isTop: true } };

  it('trusts our window showing our page', () => {
    expect(isTrustedCall(ours)).toBe(true);
  });

  it('refuses other webContents, iframes, foreign pages and destroyed frames', () => {
    expect(isTrustedCall({ ...ours, senderId: 4 })).toBe(false);
    expect(isTrustedCall({ ...ours, windowId: null })).toBe(false);
    expect(isTrustedCall({ ...ours, frame: { url: 'shoal-app://app/index.html', isTop: false } })).toBe(
      false,
    );
    expect(isTrustedCall({ ...ours, frame: { url: 'https://evil.example/', isTop: true } })).toBe(false);
    expect(isTrustedCall({ ...ours, frame: { url: 'file:///tmp/x.html', isTop: true } })).toBe(false);
    expect(isTrustedCall({ ...ours, frame: null })).toBe(false);
  });
});
