# The kiosk's messages that count forms or files, in each language's plural forms (until session
# 64 one text said "1 forms were sealed"). Forms follow each language's Plural-Forms order (pl/ro:
# one, few, many; ar: zero, one, two, few, many, other); where a language words the count apart
# from the noun ("Number of forms …: {}") every form is the same. Machine-assisted: a native
# speaker must review them.
#   python3 locales/extract.py locales/translations-kiosk-counts.py
WAL = {
    "fr": " ; d'anciennes copies restent dans le journal WAL jusqu'à la fermeture de l'autre fenêtre.",
    "es": "; quedan copias antiguas en el registro WAL hasta que se cierre la otra ventana.",
    "de": "; alte Kopien bleiben im WAL-Protokoll, bis das andere Fenster geschlossen wird.",
    "pl": "; stare kopie pozostają w pliku WAL do zamknięcia drugiego okna.",
    "ro": "; copii vechi rămân în fișierul WAL până la închiderea celeilalte ferestre.",
    "pt": "; ficam cópias antigas no ficheiro WAL até a outra janela fechar.",
    "ar": "؛ تبقى نسخ قديمة في ملف WAL حتى تُغلق النافذة الأخرى.",
}

def same(text, n):
    return [text] * n

RECEIPTS_READ = {
    "fr": ["Accusés lus : {} formulaire livré a été retiré de cette borne",
           "Accusés lus : {} formulaires livrés ont été retirés de cette borne"],
    "es": ["Acuses leídos: se ha quitado de este quiosco {} formulario entregado",
           "Acuses leídos: se han quitado de este quiosco {} formularios entregados"],
    "de": ["Empfangsbestätigungen gelesen: {} zugestelltes Formular wurde von diesem Terminal entfernt",
           "Empfangsbestätigungen gelesen: {} zugestellte Formulare wurden von diesem Terminal entfernt"],
    "pl": same("Odczytano potwierdzenia: usunięto z tego kiosku dostarczone formularze ({})", 3),
    "ro": same("Confirmări citite: formulare livrate șterse de pe acest chioșc: {}", 3),
    "pt": same("Recibos lidos: formulários entregues removidos deste quiosque: {}", 2),
    "ar": same("تمت قراءة الإيصالات: عدد النماذج المُسلَّمة التي أُزيلت من هذا الكشك: {}", 6),
}

def ending(forms, end):
    return {lang: [f + end(lang) for f in texts] for lang, texts in forms.items()}

T = {
    "{} form was sealed for the back office and saved in the exchange folder.": {
        "fr": ["{} formulaire a été scellé pour le secrétariat et enregistré dans le dossier d’échange.",
               "{} formulaires ont été scellés pour le secrétariat et enregistrés dans le dossier d’échange."],
        "es": ["{} formulario se ha sellado para la administración y guardado en la carpeta de intercambio.",
               "{} formularios se han sellado para la administración y guardado en la carpeta de intercambio."],
        "de": ["{} Formular wurde für die Verwaltung versiegelt und im Austauschordner gespeichert.",
               "{} Formulare wurden für die Verwaltung versiegelt und im Austauschordner gespeichert."],
        "pl": same("Liczba formularzy zaszyfrowanych dla biura i zapisanych w folderze wymiany: {}.", 3),
        "ro": same("Formulare sigilate pentru birou și salvate în folderul de schimb: {}.", 3),
        "pt": same("Formulários selados para a secretaria e guardados na pasta de troca: {}.", 2),
        "ar": same("عدد النماذج التي خُتمت للمكتب الإداري وحُفظت في مجلد التبادل: {}.", 6),
    },
    "Receipts read: {} delivered form was removed from this kiosk.": ending(RECEIPTS_READ, lambda lang: "."),
    "Receipts read: {} delivered form was removed from this kiosk; old copies remain in the WAL until the other window closes.":
        ending(RECEIPTS_READ, lambda lang: WAL[lang]),
    "{} receipt file in the folder was refused (the log says why); it changed nothing. The other receipts were read.": {
        "fr": ["{} fichier d’accusé de réception du dossier a été refusé (le journal dit pourquoi) ; il n’a rien changé. Les autres accusés ont été lus.",
               "{} fichiers d’accusé de réception du dossier ont été refusés (le journal dit pourquoi) ; ils n’ont rien changé. Les autres accusés ont été lus."],
        "es": ["Se rechazó {} archivo de acuse de recibo de la carpeta (el registro indica por qué); no cambió nada. Los demás acuses se leyeron.",
               "Se rechazaron {} archivos de acuse de recibo de la carpeta (el registro indica por qué); no cambiaron nada. Los demás acuses se leyeron."],
        "de": ["{} Empfangsbestätigung im Ordner wurde abgelehnt (das Protokoll nennt den Grund); sie hat nichts geändert. Die anderen wurden gelesen.",
               "{} Empfangsbestätigungen im Ordner wurden abgelehnt (das Protokoll nennt den Grund); sie haben nichts geändert. Die anderen wurden gelesen."],
        "pl": ["Odrzucono {} plik potwierdzenia w folderze (dziennik podaje powód); niczego nie zmienił. Pozostałe potwierdzenia zostały odczytane.",
               "Odrzucono {} pliki potwierdzeń w folderze (dziennik podaje powód); niczego nie zmieniły. Pozostałe potwierdzenia zostały odczytane.",
               "Odrzucono {} plików potwierdzeń w folderze (dziennik podaje powód); niczego nie zmieniły. Pozostałe potwierdzenia zostały odczytane."],
        "ro": ["{} fișier de confirmare din dosar a fost refuzat (jurnalul spune de ce); nu a schimbat nimic. Celelalte confirmări au fost citite.",
               "{} fișiere de confirmare din dosar au fost refuzate (jurnalul spune de ce); nu au schimbat nimic. Celelalte confirmări au fost citite.",
               "{} de fișiere de confirmare din dosar au fost refuzate (jurnalul spune de ce); nu au schimbat nimic. Celelalte confirmări au fost citite."],
        "pt": ["Foi recusado {} ficheiro de recibo na pasta (o registo diz porquê); não alterou nada. Os outros recibos foram lidos.",
               "Foram recusados {} ficheiros de recibo na pasta (o registo diz porquê); não alteraram nada. Os outros recibos foram lidos."],
        "ar": same("رُفض {} من ملفات الإيصالات في المجلد (يذكر السجل السبب)؛ لم تغيّر شيئًا. وقُرئت الإيصالات الأخرى.", 6),
    },
}
