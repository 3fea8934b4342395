import { Injectable } from '@nestjs/common';
import {
  BEARER_SCHEME,
  BEARER_SECURITY,
  SESSION_SCHEME,
  SESSION_SECURITY,
} from './security-schemes';

export interface SwaggerUiTokens {
  bearerToken: string;
  sessionToken: string;
}

/**
 * Runs in the page before the Swagger UI starts. With persistAuthorization, the UI restores
 * `localStorage.authorized` once the document is loaded: the demo authorization is written
 * there, unless this browser holds one that a person chose since (Authorize switches user).
 * What the page last wrote is kept beside it, so that demo tokens of an earlier start (a
 * database since deleted) are replaced, not restored.
 */
const PREAUTHORIZE = `(function () {
  var demo = JSON.stringify(__DEMO__);
  var LAST_DEMO = 'users-organizations:demo-authorization';
  try {
    var stored = localStorage.getItem('authorized');
    var chosen = stored !== null && stored !== '{}' && stored !== localStorage.getItem(LAST_DEMO);
    if (!chosen) {
      localStorage.setItem('authorized', demo);
      localStorage.setItem(LAST_DEMO, demo);
    }
  } catch (error) {
    // No storage (a private window may refuse it): the page opens unauthorized.
  }
})();
`;

/**
 * Whom the Swagger UI is authorized as when it opens: in development on the demo data, the
 * administrator the start-up banner prints tokens for (DESIGN 9b), so that the first Try it out
 * works with nothing pasted; nobody anywhere else (production never has demo tokens).
 */
@Injectable()
export class SwaggerUiAuthorization {
  private tokens: SwaggerUiTokens | null = null;

  authorizeWith(tokens: SwaggerUiTokens): void {
    this.tokens = tokens;
  }

  /** The page's preauthorization script: a comment alone when there is nobody to be. */
  script(): string {
    if (this.tokens === null) return '// No demo tokens: click Authorize to paste yours.\n';
    // The shape swagger-ui's own Authorize gives each scheme.
    const authorized = {
      [BEARER_SECURITY]: {
        name: BEARER_SECURITY,
        schema: BEARER_SCHEME,
        value: this.tokens.bearerToken,
      },
      [SESSION_SECURITY]: {
        name: SESSION_SECURITY,
        schema: SESSION_SCHEME,
        value: this.tokens.sessionToken,
      },
    };
    return PREAUTHORIZE.replace('__DEMO__', () => JSON.stringify(authorized));
  }
}
