from tests.e2e.conftest import AXE, axe_violations, new_phone, sign_in
from tests.e2e.test_admin_e2e import _check

def test_try(browser, live_server):
    context = new_phone(browser, locale="kk-KZ", javascript=False)
    page = context.new_page()
    sign_in(page, live_server, "admin@e2e.kz")
    page.goto(f"{live_server}/admin/users/invite")
    page.locator("button.primary").click()
    page.evaluate("(source) => { (0, eval)(source); return typeof window.axe; }", AXE.read_text(encoding="utf-8"))
    print(page.evaluate("typeof axe"))
    print(axe_violations(page))
    context.close()
