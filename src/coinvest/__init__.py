"""coinvest: review and compare a social-innovation portfolio with Le RAMEAU's method.

The package never imports Streamlit: pages in the app call it, and so do the command line and
the tests.
"""

__version__ = "0.1.0"
