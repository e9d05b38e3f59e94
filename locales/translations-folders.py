# A folder that could not be made when first written into (neither it nor its parent exists),
# refused when set: the desk's words and the kiosk's message. Machine-assisted: a native speaker
# must review them.
#   python3 locales/extract.py locales/translations-folders.py
T = {
    "neither {} nor the folder it would be made in exists: check the path, and that its disk is connected": {
        "fr": "ni {} ni le dossier où il serait créé n'existent : vérifiez le chemin, et que son disque est branché",
        "es": "no existe {} ni la carpeta donde se crearía: compruebe la ruta y que su disco está conectado",
        "de": "weder {} noch der Ordner, in dem er angelegt würde, existiert: prüfen Sie den Pfad und ob sein Laufwerk angeschlossen ist",
        "pl": "nie istnieje ani {}, ani folder, w którym zostałby utworzony: sprawdź ścieżkę i czy jego dysk jest podłączony",
        "ro": "nu există nici {}, nici folderul în care ar fi creat: verificați calea și dacă discul său este conectat",
        "pt": "não existe {} nem a pasta onde seria criada: verifique o caminho e se o disco está ligado",
        "ar": "لا يوجد {} ولا المجلد الذي سيُنشأ فيه: تحقّق من المسار ومن توصيل قرصه",
    },
    "Neither that folder nor the one it would be made in exists. Check the path, and that the USB stick is in.": {
        "fr": "Ni ce dossier ni celui où il serait créé n'existent. Vérifiez le chemin, et que la clé USB est branchée.",
        "es": "No existe esa carpeta ni la carpeta donde se crearía. Compruebe la ruta y que la memoria USB está puesta.",
        "de": "Weder dieser Ordner noch der, in dem er angelegt würde, existiert. Prüfen Sie den Pfad und ob der USB-Stick steckt.",
        "pl": "Nie istnieje ani ten folder, ani folder, w którym zostałby utworzony. Sprawdź ścieżkę i czy pendrive jest włożony.",
        "ro": "Nu există nici acest folder, nici cel în care ar fi creat. Verificați calea și dacă stickul USB este introdus.",
        "pt": "Não existe essa pasta nem aquela onde seria criada. Verifique o caminho e se a pen USB está inserida.",
        "ar": "لا يوجد هذا المجلد ولا المجلد الذي سيُنشأ فيه. تحقّق من المسار ومن إدخال ذاكرة USB.",
    },
}
