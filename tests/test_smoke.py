def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="csrf_token"' in response.data


def test_logged_in_start_page(client, login_as):
    user = login_as("employee")
    response = client.get("/")
    assert response.status_code == 200
    assert user.name.encode() in response.data
