"""Language: lyrics (LRC, sources), lyrics sentiment, listener prompts, the optional local LLM.

No module here imports Textual; vaderSentiment is imported only where sentiment is computed
(analysis time and the prompt parser), never at import of this package.
"""
