"""The music library: walking folders, reading tags (mutagen) and keeping the catalog in step.

- ``scan.scan_folder(catalog, folder, ...) -> ScanReport``: the incremental, parallel scan;
- ``tags.read_tags(path, kind, lyrics_file) -> dict`` (raises ``tags_error.TagError``);
- ``walk.walk(root)``: audio files with their fingerprints, and readable errors;
- ``formats.audio_kind(name)``: which files are music;
- ``integrity``: cheap checks for truncated/garbled files; ``riff``: WAV INFO tags;
  ``text``: cleaning tag values; ``demo``: the demo library.
Nothing here decodes audio.
"""
