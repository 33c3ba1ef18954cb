from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "coachos.progress"
    label = "progress"
    verbose_name = "Progress"

    def ready(self) -> None:
        from coachos.comms import attachments

        from . import alerts, listeners, monthly

        listeners.register()  # completed sessions move attendance goals; shared notes' items become tasks
        from . import pages_section

        pages_section.register()  # the client page's "Progress" section
        alerts.register()  # its messages in the comms catalog; a goal achieved is celebrated
        attachments.register(alerts.REPORT_KIND, monthly.report_attachment)  # the monthly report's PDF
