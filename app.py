"""Streamlit entry point: `streamlit run app.py`. Pages live in ui/pages/; domain logic in pipeline/."""

import streamlit as st

from ui.components import CSS, sidebar
from ui.identity import gate
from ui.state import get_settings

st.set_page_config(page_title="Fact-check assistant", page_icon=":material/fact_check:", layout="wide")
st.html(CSS)
gate(get_settings())  # sign-in and roles, or local mode on loopback only (ui/identity.py)
pages = [
    st.Page("ui/pages/review.py", title="Review", icon=":material/rule:", default=True),
    st.Page("ui/pages/check.py", title="Check an article", icon=":material/search:", url_path="check"),
    st.Page("ui/pages/library.py", title="Library", icon=":material/library_books:", url_path="library"),
    st.Page("ui/pages/reports.py", title="Reports", icon=":material/ios_share:", url_path="reports"),
    st.Page("ui/pages/inbox.py", title="Inbox", icon=":material/inbox:", url_path="inbox"),
    st.Page("ui/pages/dashboard.py", title="Dashboard", icon=":material/monitoring:", url_path="dashboard"),
]
page = st.navigation(pages)
sidebar()
page.run()
