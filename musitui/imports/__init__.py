"""Listening histories from elsewhere: ListenBrainz, Last.fm, Spotify, a portable player's
``.scrobbler.log``; matched to the user's files and turned into history events.

- ``listens``: the one record every reader produces (``Scrobble``), the readers' shared
  checks (text decoding, plausible dates) and ``NotUnderstood``;
- one reader per format: ``listenbrainz``, ``lastfm``, ``spotify``, ``scrobbler_log``;
- ``sources``: a file, a folder or a ZIP into named byte blobs, and which format each is;
- ``matcher``: normalised artist + title against the catalog;
- ``unmatched``: the listens that matched no file, kept aside and matched after a scan;
- ``importer``: the whole import (read, match, dedupe, one bulk append);
- ``export``: the history as a ``.scrobbler.log`` or a ListenBrainz import payload.
"""
