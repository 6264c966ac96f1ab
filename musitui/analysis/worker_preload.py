"""Imported by the analysis forkserver (``worker.worker_context``) and nowhere else:
it warms that server once, so every worker forked from it starts ready to analyse."""

from musitui.analysis.worker import limit_threads, mark_server, warm_up

mark_server()
limit_threads()
warm_up()
