"""Tools of the project (not part of the package ``rnn``): the course notebook's
generator (``python -m tools.course_notebook``), the robustness runs, and the scripts
that write the Keras fixtures."""
