from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "coachos.books"
    label = "books"
    verbose_name = "The books"
