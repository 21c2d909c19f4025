/*
 * Trustline local development chat.
 *
 * Connects Web Chat to the bot server through a small Direct Line-shaped object: activities are POSTed to
 * /local/activities and everything in the conversation (our own activities echoed back, the bot's replies) arrives
 * on the Server-Sent Events stream /local/stream. The session is an HttpOnly cookie the server sets; this page
 * never picks a user id and keeps nothing in browser storage.
 */
(function () {
  'use strict';

  // Captured now: document.currentScript is only set while this file first runs. Web Chat puts this nonce on the
  // <style> elements it creates, which is what lets the page's CSP do without 'unsafe-inline'.
  var NONCE = (document.currentScript && document.currentScript.nonce) || undefined;

  // Direct Line connection status values, as Web Chat expects them.
  var STATUS = { UNINITIALIZED: 0, CONNECTING: 1, ONLINE: 2, FAILED_TO_CONNECT: 4, ENDED: 5 };
  // Activities kept for late subscribers; Web Chat subscribes twice (connect, then observe) and dedupes by id.
  var REPLAY_LIMIT = 500;
  var JSON_HEADERS = { 'Content-Type': 'application/json' };

  /** The least of an Observable that Web Chat uses: subscribe(observer | next) -> { unsubscribe }. */
  class Observable {
    constructor(subscriber) {
      this._subscriber = subscriber;
    }

    subscribe(observerOrNext, onError, onComplete) {
      var observer =
        typeof observerOrNext === 'function'
          ? { next: observerOrNext, error: onError, complete: onComplete }
          : observerOrNext || {};
      var closed = false;
      var teardown;
      var safe = {
        next: function (value) {
          if (!closed && observer.next) observer.next(value);
        },
        error: function (err) {
          if (closed) return;
          closed = true;
          if (observer.error) observer.error(err);
        },
        complete: function () {
          if (closed) return;
          closed = true;
          if (observer.complete) observer.complete();
        }
      };
      teardown = this._subscriber(safe);
      return {
        get closed() {
          return closed;
        },
        unsubscribe: function () {
          closed = true;
          if (typeof teardown === 'function') {
            var t = teardown;
            teardown = undefined;
            t();
          }
        }
      };
    }
  }

  /** Hot value stream that gives new subscribers the current value first (Web Chat reads the status this way). */
  class StatusSubject {
    constructor(initial) {
      this.value = initial;
      this._observers = new Set();
      var self = this;
      this.observable = new Observable(function (observer) {
        self._observers.add(observer);
        observer.next(self.value);
        return function () {
          self._observers.delete(observer);
        };
      });
    }

    next(value) {
      if (value === this.value) return;
      this.value = value;
      this._observers.forEach(function (o) {
        o.next(value);
      });
    }
  }

  /** Hot stream that replays what it has seen to late subscribers, up to a limit. */
  class ReplaySubject {
    constructor(limit) {
      this._limit = limit;
      this._buffer = [];
      this._observers = new Set();
      this._done = false;
    }

    subscribe(observer) {
      this._buffer.forEach(function (v) {
        observer.next(v);
      });
      if (this._done) {
        observer.complete();
        return function () {};
      }
      var observers = this._observers;
      observers.add(observer);
      return function () {
        observers.delete(observer);
      };
    }

    next(value) {
      this._buffer.push(value);
      if (this._buffer.length > this._limit) this._buffer.shift();
      this._observers.forEach(function (o) {
        o.next(value);
      });
    }

    complete() {
      this._done = true;
      this._buffer = [];
      this._observers.forEach(function (o) {
        o.complete();
      });
      this._observers.clear();
    }
  }

  /** Direct Line-shaped connection to this server's local channel. */
  class LocalDirectLine {
    constructor(events) {
      var self = this;
      this._events = events;
      this._status = new StatusSubject(STATUS.UNINITIALIZED);
      this._activities = new ReplaySubject(REPLAY_LIMIT);
      this._source = null;
      this._ended = false;
      this.connectionStatus$ = this._status.observable;
      // Like DirectLineJS, the connection opens when the first subscriber arrives.
      this.activity$ = new Observable(function (observer) {
        var unsubscribe = self._activities.subscribe(observer);
        self._connect();
        return unsubscribe;
      });
    }

    _connect() {
      if (this._source || this._ended) return;
      var self = this;
      this._status.next(STATUS.CONNECTING);
      var source = new EventSource('/local/stream');
      this._source = source;
      source.onopen = function () {
        self._status.next(STATUS.ONLINE);
      };
      source.addEventListener('activity', function (event) {
        var activity;
        try {
          activity = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        if (activity && typeof activity === 'object' && typeof activity.type === 'string') {
          self._activities.next(activity);
        }
      });
      // The server ended the session (cleared here or in another tab, or expired): do not reconnect.
      source.addEventListener('end', function () {
        self._finish(STATUS.ENDED);
        self._events.onEnded();
      });
      source.onerror = function () {
        if (self._ended) return;
        if (source.readyState === EventSource.CLOSED) {
          // Refused (no session any more, server restarted): EventSource gives up; so do we.
          self._finish(STATUS.FAILED_TO_CONNECT);
          self._events.onLost();
        } else {
          // Network blip: EventSource retries by itself and sends Last-Event-ID, so nothing is replayed twice.
          self._status.next(STATUS.CONNECTING);
        }
      };
    }

    _finish(status) {
      if (this._ended) return;
      this._ended = true;
      if (this._source) this._source.close();
      this._source = null;
      this._status.next(status);
      this._activities.complete();
    }

    postActivity(activity) {
      return new Observable(function (observer) {
        var controller = new AbortController();
        fetch('/local/activities', {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify(activity),
          credentials: 'same-origin',
          cache: 'no-store',
          redirect: 'error',
          signal: controller.signal
        })
          .then(function (response) {
            if (!response.ok) throw new Error('The server refused the activity (' + response.status + ').');
            return response.json();
          })
          .then(function (body) {
            if (!body || typeof body.id !== 'string') throw new Error('The server answered without an id.');
            observer.next(body.id);
            observer.complete();
          })
          .catch(function (err) {
            observer.error(err);
          });
        return function () {
          controller.abort();
        };
      });
    }

    end() {
      this._finish(STATUS.ENDED);
    }
  }

  var notice = document.getElementById('tl-notice');
  var chat = document.getElementById('tl-chat');
  var clearButton = document.getElementById('tl-clear');
  var directLine = null;
  var clearing = false;

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'error'
    });
  }

  function start() {
    if (!window.WebChat || typeof window.WebChat.renderWebChat !== 'function') {
      showNotice('Web Chat could not be loaded from this server.');
      return;
    }
    // Creates a session, or keeps the one this browser session's cookie names (a reload keeps the conversation).
    post('/local/session', { locale: navigator.language })
      .then(function (response) {
        if (!response.ok) throw new Error('session ' + response.status);
        directLine = new LocalDirectLine({
          onEnded: function () {
            if (!clearing) showNotice('This conversation has ended. Use "Clear this conversation" to start a new one.');
          },
          onLost: function () {
            if (!clearing) showNotice('The connection to the bot server was lost. Use "Clear this conversation" to start again.');
          }
        });
        window.WebChat.renderWebChat(
          {
            directLine: directLine,
            locale: navigator.language,
            nonce: NONCE,
            styleOptions: {
              accent: '#2f7dd1',
              backgroundColor: '#ffffff',
              bubbleBorderRadius: 10,
              bubbleFromUserBorderRadius: 10,
              bubbleFromUserBackground: '#dcebfb',
              bubbleBackground: '#f1f3f6',
              bubbleBorderWidth: 0,
              bubbleFromUserBorderWidth: 0,
              botAvatarInitials: 'TL',
              botAvatarBackgroundColor: '#12355b',
              userAvatarInitials: 'You',
              hideUploadButton: true,
              rootHeight: '100%',
              rootWidth: '100%',
              sendBoxBackground: '#ffffff'
            }
          },
          chat
        );
      })
      .catch(function () {
        showNotice('The bot server could not start a conversation. Is it running?');
      });
  }

  clearButton.addEventListener('click', function () {
    clearButton.disabled = true;
    clearing = true;
    post('/local/clear')
      .then(function (response) {
        if (!response.ok) throw new Error('clear ' + response.status);
        if (directLine) directLine.end();
        // The server forgot the session and expired the cookie. Reloading drops the transcript Web Chat holds in
        // memory (nothing was ever written to browser storage) and starts a fresh session.
        window.location.reload();
      })
      .catch(function () {
        clearing = false;
        clearButton.disabled = false;
        showNotice('The conversation could not be cleared. Is the bot server running?');
      });
  });

  start();
})();
